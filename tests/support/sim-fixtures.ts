import { defaultSimParams, preset2022, type SimParams } from '../../shared/simulation/params.js';

/**
 * A plain queue for checking the engine against queueing theory: Poisson
 * arrivals at `perMinute` for long enough to bring `visitors`, `servers`
 * parallel checkouts, unlimited stock, no sessions, no server limit.
 */
export function plainQueue(o: {
  visitors: number;
  perMinute: number;
  servers: number;
  checkoutSeconds: number;
  checkout?: SimParams['checkout']['distribution'];
  patienceMinutes?: number;
  seed?: number;
}): SimParams {
  const base = defaultSimParams();
  const minutes = o.visitors / o.perMinute;
  return {
    ...base,
    seed: o.seed ?? 1,
    visitors: o.visitors,
    arrival: { curve: 'spike', spikeMinutes: minutes, decayMinutes: 1, perMinute: [], preOpenShare: 0, preOpenMinutes: 0 },
    sale: { windowMinutes: Math.min(7 * 24 * 60, minutes * 1.5 + 60), stock: o.visitors * 10_000 * 2, unit: 10_000 },
    purchase: { limit: 10_000, fullLimitShare: 1 },
    waitingRoom: { admissionPerMinute: null, maxActiveSessions: o.servers, order: 'fifo', slots: [], stockCutoff: false, cutoffMargin: 0 },
    session: { timeoutMinutes: null, policy: 'room_keeps_place' },
    returns: { probability: 0, delayMinutes: 1 },
    patience: o.patienceMinutes ? { kind: 'exponential', meanMinutes: o.patienceMinutes } : { kind: 'none', meanMinutes: 1 },
    checkout: { meanSeconds: o.checkoutSeconds, distribution: o.checkout ?? 'exponential', failureRate: 0, maxRetries: 0 },
    capacity: { maxConnections: null },
  };
}

/**
 * The 2022 preset as it stood before it was calibrated to the press reports
 * (issue 12): a crowded sale whose mechanics (logouts, the cut-off, the
 * estimators, the recommendation searches) the engine tests were written
 * against. Those tests need a crowded sale, not the day's fitted figures.
 */
export function sale2022Uncalibrated(): SimParams {
  const p = preset2022();
  return {
    ...p,
    arrival: { ...p.arrival, preOpenShare: 0.3 },
    purchase: { ...p.purchase, fullLimitShare: 0.85 },
    waitingRoom: { ...p.waitingRoom, admissionPerMinute: 1_600 },
    patience: { kind: 'exponential', meanMinutes: 120 },
    checkout: { meanSeconds: 120, distribution: 'lognormal', failureRate: 0.15, maxRetries: 2 },
  };
}
