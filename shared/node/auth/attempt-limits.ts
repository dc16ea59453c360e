/**
 * The arithmetic of sign-in throttling, shared by the console (in memory) and
 * the central server (in PostgreSQL). An attempt is counted when it is
 * *reserved*, before the password hash is computed, so parallel guesses
 * cannot all pass the check before any of them is counted.
 */
export interface LockPolicy {
  /** Attempts allowed before the first lock. */
  free: number;
  /** The first lock; each further counted attempt doubles it, up to maxLockMs. */
  firstLockMs: number;
  maxLockMs: number;
  /** A key with no attempt for this long starts again from zero. */
  forgetAfterMs: number;
}

export interface AttemptState {
  count: number;
  /** Epoch ms; 0 when not locked. */
  lockedUntil: number;
  lastAt: number;
}

export const FRESH: AttemptState = { count: 0, lockedUntil: 0, lastAt: 0 };

export function lockMs(count: number, policy: LockPolicy): number {
  if (count < policy.free) return 0;
  return Math.min(policy.maxLockMs, policy.firstLockMs * 2 ** Math.min(30, count - policy.free));
}

/** The state as of `now`: a quiet, unlocked key is forgotten. */
export function settle(state: AttemptState | undefined, now: number, policy: LockPolicy): AttemptState {
  if (!state) return FRESH;
  if (state.lockedUntil <= now && now - state.lastAt > policy.forgetAfterMs) return FRESH;
  return state;
}

export function waitMs(state: AttemptState, now: number): number {
  return Math.max(0, state.lockedUntil - now);
}

/** Counts one attempt; the attempt that reaches the limit still runs, and locks the key for the ones after it. */
export function reserve(state: AttemptState, now: number, policy: LockPolicy): AttemptState {
  const count = state.count + 1;
  const lock = lockMs(count, policy);
  return { count, lockedUntil: lock > 0 ? now + lock : 0, lastAt: now };
}

/**
 * Gives back the attempt a correct password reserved, so a key counts
 * failures only. If nothing touched the key since, the lock is put back as it
 * was; a lock set by later attempts stays.
 */
export function refund(state: AttemptState, reserved: { before: AttemptState; after: AttemptState }): AttemptState {
  const untouched = state.count === reserved.after.count && state.lastAt === reserved.after.lastAt;
  return { count: Math.max(0, state.count - 1), lockedUntil: untouched ? reserved.before.lockedUntil : state.lockedUntil, lastAt: state.lastAt };
}

/** Whole seconds to tell a throttled user, never 0. */
export function waitSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
