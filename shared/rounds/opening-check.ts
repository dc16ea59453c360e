import type { Issue } from '../common/errors.js';
import type { RoundStatus } from './lifecycle.js';
import type { RoundSpec } from './spec.js';

/** Whose clock said "now": the server's when the console has heard from it, otherwise this computer's. */
export type ClockSource = 'server' | 'local';

/**
 * An opening already past, said while the official edits: the server refuses
 * to schedule such a round (lifecycle.opensInPast, judged by its own clock),
 * so a version saved like this cannot go on sale. A warning, not an error: a
 * draft may be written now and its times fixed later, and a round already on
 * sale has an opening in the past by nature (and may not change it).
 */
export function openingIssues(spec: RoundSpec, status: RoundStatus, now: Date, clock: ClockSource): Issue[] {
  if (status !== 'draft' && status !== 'approved' && status !== 'scheduled') return [];
  const opens = Date.parse(spec.opensAt);
  if (Number.isNaN(opens) || opens > now.getTime()) return [];
  return [{ path: 'opensAt', code: clock === 'server' ? 'roundForm.opensInPast' : 'roundForm.opensInPastLocalClock', severity: 'warning', params: { now: now.toISOString() } }];
}

/**
 * The way out of an approved round whose opening has passed: the same sale
 * moved to the next day at the same Seoul wall-clock time (or the first day
 * after `now` when it is weeks late), its length kept. The official sees the
 * copy in the editor and saves it as a new version for approval.
 */
export function rescheduledWindow(spec: Pick<RoundSpec, 'opensAt' | 'closesAt'>, now: Date): { opensAt: string; closesAt: string } {
  const opens = Date.parse(spec.opensAt);
  const length = Date.parse(spec.closesAt) - opens;
  const day = 86_400_000;
  // Whole days keep the Seoul time of day (Seoul has no daylight saving).
  const days = Math.max(1, Math.floor((now.getTime() - opens) / day) + 1);
  const next = opens + days * day;
  return { opensAt: new Date(next).toISOString(), closesAt: new Date(next + length).toISOString() };
}
