import type { SimRun } from '../../shared/api/simulation-schemas.js';
import { simulate } from '../../shared/simulation/engine.js';
import type { SimParams } from '../../shared/simulation/params.js';
import { sale2022Uncalibrated } from './sim-fixtures.js';

/** A stored run of a small 2022-like sale, simulated for real, with or without recommendations. */
export function simRun(id: string, label: string, change: (p: SimParams) => SimParams, withRecommendations: boolean): SimRun {
  // The 2022 settings before calibration: a 10-minute session that logs people out, so a comparison has differences to show.
  const base = sale2022Uncalibrated();
  const params = change({ ...base, visitors: 12_000, sale: { ...base.sale, stock: 600_000_000 } });
  const result = simulate(params);
  return {
    id,
    roundId: 'r-1',
    roundVersion: 1,
    parentId: null,
    label,
    backingKey: null,
    createdAt: '2026-11-26T04:00:00.000Z',
    createdByName: '김공무',
    seed: params.seed,
    visitors: params.visitors,
    soldOutMinute: result.soldOutMinute,
    buyers: result.buyers,
    amountSold: result.amountSold,
    logouts: result.logouts,
    requeues: result.requeues,
    waitedForNothing: result.waitedForNothing,
    personHoursLost: result.personHoursLost,
    peakConnections: result.peakConnections,
    peakActive: result.peakActive,
    sessionTimeoutMinutes: params.session.timeoutMinutes,
    sessionPolicy: params.session.policy,
    admissionPerMinute: params.waitingRoom.admissionPerMinute,
    stockCutoff: params.waitingRoom.stockCutoff,
    elapsedMs: 10,
    hasRecommendations: withRecommendations,
    params,
    result,
    recommendations: withRecommendations
      ? {
          targetSellOutMinutes: 60,
          capacity: 200_000,
          session: { minutes: 73, baselineLogouts: 4_000, backing: 'b1' },
          admission: { feasible: true, perMinute: 1_450, sellOutMinute: 52, peakActive: 9_000, backing: 'b2' },
          cutoff: { hoursWithout: 9_000, hoursWith: 2_000, savedHours: 7_000, cutPeople: 12_000, amountSoldWithout: 1_500_000_000, amountSoldWith: 1_500_000_000, backingWith: 'b3', backingWithout: 'b4' },
        }
      : null,
    backing: [],
  };
}

