import type { Issue } from '../common/errors.js';
import type { RoundSpec } from '../rounds/spec.js';
import type { SimParams } from './params.js';
import type { SimResult } from './result.js';

/**
 * The editor's quick run must come back in a few hundred milliseconds, so a
 * large round is simulated at a proportional scale: visitors, stock and every
 * rate and capacity shrink by the same factor, which keeps the queue's length
 * in minutes (arrivals and service shrink together) while the counts shrink.
 */
export const QUICK_MAX_VISITORS = 60_000;

export function quickScale(p: SimParams): number {
  return Math.min(1, QUICK_MAX_VISITORS / p.visitors);
}

export function scaledParams(p: SimParams, scale: number): SimParams {
  if (scale >= 1) return p;
  const up = (n: number | null) => (n === null ? null : Math.max(1, Math.ceil(n * scale)));
  const units = Math.max(1, Math.round((p.sale.stock / p.sale.unit) * scale));
  return {
    ...p,
    visitors: Math.max(1, Math.round(p.visitors * scale)),
    sale: { ...p.sale, stock: Math.max(units * p.sale.unit, p.purchase.limit) },
    waitingRoom: {
      ...p.waitingRoom,
      admissionPerMinute: p.waitingRoom.admissionPerMinute === null ? null : Math.max(0.01, p.waitingRoom.admissionPerMinute * scale),
      maxActiveSessions: up(p.waitingRoom.maxActiveSessions),
    },
    capacity: { ...p.capacity, maxConnections: up(p.capacity.maxConnections) },
  };
}

/** Which simulation a warning rests on: a stored run of exactly these settings, or a quick run. */
export type CheckBasis = { kind: 'run'; runId: string; label: string; createdAt: string } | { kind: 'quick'; scale: number; visitors: number; at: string };

/**
 * The round's warnings that come from simulating it (not from arithmetic on
 * visitors ÷ rate, which ignores that people beyond the stock need not wait):
 * - people logged out while waiting, with the session the round sets;
 * - people who waited for nothing, where the stock-aware notice is off.
 * Counts are scaled back to the round's size; minutes are not scaled.
 */
export function rehearsalWarnings(spec: RoundSpec, result: SimResult, scale: number): Issue[] {
  const issues: Issue[] = [];
  const people = (n: number) => Math.round(n / scale);
  if (result.logouts > 0) {
    issues.push({
      path: 'sessionTimeoutMinutes',
      code: 'issues.sessionLogoutsSimulated',
      severity: 'warning',
      params: {
        timeout: spec.sessionTimeoutMinutes,
        logouts: people(result.logouts),
        wait: Math.ceil(result.waitBuyers.p90Minutes),
      },
    });
  }
  const waitedForNothing = people(result.waitedForNothing);
  if (!(spec.waitingRoom.stockCutoff ?? false) && result.stockReservedMinute !== null && waitedForNothing > 0) {
    issues.push({
      path: 'waitingRoom.stockCutoff',
      code: 'issues.waitedForNothingSimulated',
      severity: 'warning',
      params: { people: waitedForNothing, hours: Math.round(result.personHoursLost / scale) },
    });
  }
  return issues;
}
