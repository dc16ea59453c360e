import { checkEdit, type LifecycleState, type RoundStatus } from '../../shared/rounds/lifecycle.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import { validateRound } from '../../shared/rounds/validate.js';
import type { ServerUser } from '../auth/server-auth.js';
import type { ServerRound } from '../log/state.js';
import { reject, type Outcome } from './command-kit.js';

/** The lifecycle rules' view of a round on the server: its status, the spec in effect, and a pending version. */
export function lifecycleOf(round: ServerRound | undefined, pending?: { version: number; spec: RoundSpec; authorId: string }): LifecycleState {
  const spec = pending?.spec ?? round!.spec;
  return {
    status: (round?.status ?? 'draft') as RoundStatus,
    currentVersion: pending?.version ?? round!.version,
    approvedVersion: round?.version ?? null,
    currentAuthorId: pending?.authorId ?? '',
    spec,
    hasErrors: validateRound(spec).errors.length > 0,
  };
}

/**
 * The on-sale lock and the closed/settled lock for a new version, judged
 * against the published spec by the console's own edit rule. A version equal
 * to the published one (a change reverted) is no change to lock.
 */
export function checkAgainstPublished(round: ServerRound | undefined, spec: RoundSpec, user: ServerUser, now: Date): Outcome | null {
  if (!round) return null;
  const verdict = checkEdit(lifecycleOf(round), spec, user, now);
  if (!verdict.ok && verdict.key !== 'lifecycle.noChanges') return reject(verdict.key, verdict.params);
  return null;
}
