import { recordAudit } from '../kernel/audit-append.js';
import type { KernelDeps } from '../kernel/deps.js';

/**
 * Records a sign-in that was evaluated: who succeeded, or which name was
 * tried and why it failed. Never the password. Attempts refused by the
 * throttle before any evaluation are not recorded, so a flood of guesses
 * cannot flood the log.
 */
export async function recordSignIn(
  deps: Pick<KernelDeps, 'db' | 'now'>,
  usernameTried: string,
  user: { id: string; display_name: string } | null,
  failureKey: string | null,
): Promise<void> {
  await recordAudit(deps.db, {
    at: deps.now().toISOString(),
    actorId: user?.id ?? null,
    actorName: user?.display_name ?? usernameTried,
    action: failureKey ? 'session.signInFailed' : 'session.signIn',
    entityType: 'user',
    entityId: user?.id ?? null,
    details: failureKey ? { username: usernameTried, reasonKey: failureKey } : { username: usernameTried },
  });
}
