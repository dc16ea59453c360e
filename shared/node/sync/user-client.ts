import type { KernelDeps } from '../kernel/deps.js';
import { SyncClient } from './client.js';
import { SyncError } from './sync-error.js';
import { readSyncState } from './sync-state.js';
import { userToken } from './user-tokens.js';

/** Why a call the server must answer cannot be made from here now. */
export type ServerAccessProblem = 'notConfigured' | 'notSignedIn' | 'offline';

/** The server sign-in a console sign-in starts in the background may still be running when the user's first call comes. */
export interface UserClientDeps extends KernelDeps {
  sync: { signInsSettled(): Promise<void> };
}

/**
 * A client that asks the server in the user's own name (their token), so the
 * server decides their role and district; or why there is none: no server
 * configured, or the user not signed in to it.
 */
export async function userServerClient(deps: UserClientDeps, userId: string, timeoutMs: number): Promise<SyncClient | ServerAccessProblem> {
  const state = await readSyncState(deps.db);
  if (!state.server_url) return 'notConfigured';
  let token = await userToken(deps.db, deps.userKeys, userId);
  if (!token) {
    await deps.sync.signInsSettled();
    token = await userToken(deps.db, deps.userKeys, userId);
  }
  if (!token) return 'notSignedIn';
  return new SyncClient(state.server_url, token.token, AbortSignal.timeout(timeoutMs));
}

/** The problem a failed call made with such a client stands for, or null when it failed for another reason. */
export function serverAccessProblemOf(e: unknown): ServerAccessProblem | null {
  if (e instanceof SyncError && e.key === 'sync.offline') return 'offline';
  if (e instanceof DOMException && e.name === 'TimeoutError') return 'offline';
  if (e instanceof SyncError && e.key === 'sync.unauthorized') return 'notSignedIn';
  return null;
}
