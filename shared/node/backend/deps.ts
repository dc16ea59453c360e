import type { Method } from '../../api/contract.js';
import type { AuditService } from '../audit/audit-service.js';
import type { SessionStore, SignInThrottle } from '../auth/sessions.js';
import type { Handler } from '../kernel/call-context.js';
import type { KernelDeps } from '../kernel/deps.js';
import type { SyncService } from '../sync/sync-service.js';

/** Everything the registry assembles: the kernel's deps and the services capabilities own. Each capability's deps type is a part of it. */
export interface BackendDeps extends KernelDeps {
  sessions: SessionStore;
  throttle: SignInThrottle;
  sync: SyncService;
  audit: AuditService;
}

export type HandlerMap = { [M in Method]: Handler<M, BackendDeps> };
