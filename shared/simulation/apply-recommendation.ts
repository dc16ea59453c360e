import { changedFields, type RoundSpec } from '../rounds/spec.js';
import { specWithAssumptions, type SimParams } from './params.js';
import type { Recommendations } from './recommend.js';

export const RECOMMENDATION_KINDS = ['session', 'admission', 'cutoff'] as const;
export type RecommendationKind = (typeof RECOMMENDATION_KINDS)[number];

export type ApplyOutcome =
  | { ok: true; spec: RoundSpec; changed: (keyof RoundSpec)[] }
  /** The run simulated another sale (stock, limit or window): its advice does not carry over. */
  | { ok: false; reason: 'stock' | 'limit' | 'window' };

/**
 * A recommendation written into the round: the run's assumptions (the advice
 * only holds under them) and the recommended setting on top of the round's
 * own settings, so applying several recommendations of one run adds them up.
 * `changed` lists every field that moves, for the official to see first; the
 * editor's simulation check then shows whether the round as a whole holds.
 */
export function applyRecommendation(spec: RoundSpec, runParams: SimParams, recs: Recommendations, kind: RecommendationKind): ApplyOutcome {
  if (runParams.sale.stock !== spec.totalAmount) return { ok: false, reason: 'stock' };
  if (runParams.purchase.limit !== spec.perPersonMonthlyLimit) return { ok: false, reason: 'limit' };
  const windowMinutes = Math.max(1, Math.round((Date.parse(spec.closesAt) - Date.parse(spec.opensAt)) / 60_000));
  if (runParams.sale.windowMinutes !== windowMinutes) return { ok: false, reason: 'window' };

  const base = specWithAssumptions(spec, runParams);
  let next: RoundSpec;
  switch (kind) {
    case 'session':
      // The confirming run used the round's policy with this timeout and logged nobody out.
      next = { ...base, sessionTimeoutMinutes: recs.session.minutes, rehearsal: { ...base.rehearsal!, sessionPolicy: 'expires_while_waiting' } };
      break;
    case 'admission':
      // The search left active sessions unbounded; the cap must at least carry the peak it saw.
      next = {
        ...base,
        waitingRoom: {
          ...base.waitingRoom,
          admissionPerMinute: recs.admission.perMinute,
          maxActiveSessions: Math.max(base.waitingRoom.maxActiveSessions, Math.ceil(recs.admission.peakActive)),
        },
      };
      break;
    case 'cutoff':
      next = { ...base, waitingRoom: { ...base.waitingRoom, order: base.waitingRoom.order ?? 'fifo', stockCutoff: true } };
      break;
  }
  return { ok: true, spec: next, changed: changedFields(spec, next) };
}
