import type { KernelDeps } from '../kernel/deps.js';
import type { ServerAccounts } from '../sync/server-accounts.js';
import type { SessionStore, SignInThrottle } from './sessions.js';

/** What signing in and managing users reach beyond the kernel: the session stores, the sync capability's per-user server sign-in, and the server's accounts. */
export interface AuthDeps extends KernelDeps {
  sessions: SessionStore;
  throttle: SignInThrottle;
  sync: {
    signInUserInBackground(userId: string, username: string, password: string): void;
    rekey(userId: string, key: Buffer): Promise<void>;
    /** Creating, changing and resetting users on the server first, when this console has one. */
    accounts: Pick<ServerAccounts, 'create' | 'change' | 'changeOwnPassword' | 'identify' | 'remember'>;
  };
}
