import { basisPointsOf } from '../../shared/common/money.js';
import type { PurchaseEvent } from '../../shared/ledger/events.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import { simulatedFacePerMinute } from '../../shared/simulation/calibrate/objective.js';
import { simulate } from '../../shared/simulation/engine.js';
import { simParamsFromRound, type SimParams } from '../../shared/simulation/params.js';
import type { SyncEvent } from '../../shared/sync/protocol.js';
import { spec2022 } from './specs.js';

/** A round of ₩2B at ₩400,000 a person with 20,000 expected: 5,000 full-limit buyers empty it. */
export function calibrationSpec(name = '보정 회차'): RoundSpec {
  return spec2022({ name, totalAmount: 2_000_000_000, expectedVisitors: 20_000 }, new Date('2026-03-02T00:00:00.000Z'));
}

/**
 * The sale day a simulation of `spec` with `patch` produced, as ledger
 * events: the round published, then full-limit purchases minute by minute in
 * the simulated numbers, each minute's spread over it. A ledger shaped like
 * a real sale (a queue, then the arrivals' tail) with known behind-the-scenes
 * parameters.
 */
export function* simulatedSaleEvents(roundId: string, spec: RoundSpec, patch: Partial<SimParams> = {}): Generator<SyncEvent> {
  yield { type: 'round_published', eventId: `pub-${roundId}`, roundId, version: 1, spec, publishedBy: 'kim', at: spec.opensAt };
  const p = { ...simParamsFromRound(spec), purchase: { limit: spec.perPersonMonthlyLimit, fullLimitShare: 1 }, ...patch };
  const face = simulatedFacePerMinute(simulate(p), 1, 180);
  const t0 = Date.parse(spec.opensAt);
  const unit = spec.perPersonMonthlyLimit;
  const sales: PurchaseEvent[] = [];
  let n = 0;
  face.forEach((won, m) => {
    const count = Math.round(won / unit);
    for (let k = 0; k < count; k++) {
      const at = new Date(t0 + m * 60_000 + Math.floor(((k + 0.5) / count) * 60_000)).toISOString();
      const purchase: PurchaseEvent = {
        type: 'purchase',
        eventId: `${roundId}-p${n}`,
        roundId,
        lotId: `${roundId}-l${n}`,
        at,
        buyerId: `${roundId}-b${n}`,
        districtCode: '11440',
        face: unit,
        paid: unit - basisPointsOf(unit, spec.discountBp),
        paymentMethod: 'bank_transfer',
      };
      n++;
      sales.push(purchase);
    }
  });
  yield* sales;
}
