import type { KernelDeps } from '../kernel/deps.js';
import type { SessionStore, SignInThrottle } from './sessions.js';

/** What signing in and managing users reach beyond the kernel: the session stores, and the sync capability's per-user server sign-in. */
export interface AuthDeps extends KernelDeps {
  sessions: SessionStore;
  throttle: SignInThrottle;
  sync: {
    signInUserInBackground(userId: string, username: string, password: string): void;
    rekey(userId: string, key: Buffer): Promise<void>;
  };
}
