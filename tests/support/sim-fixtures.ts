import { defaultSimParams, type SimParams } from '../../shared/simulation/params.js';

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

import { sale2022Uncalibrated as day2022 } from '../../shared/simulation/params.js';

/**
 * The 2022 sale before calibration (it lives with the preset, where the fit script starts from it) as the
 * engine's mechanics tests were written against it: without the sign-in stage the fit assumes
 * (capacity.loginMinutes), so the figures those tests worked out stand.
 */
export function sale2022Uncalibrated(): SimParams {
  const p = day2022();
  return { ...p, capacity: { maxConnections: p.capacity.maxConnections } };
}
const crowded = sale2022Uncalibrated;

/** The crowded 2022 sale at a sixth of its size, so a recommendation search of dozens of runs stays quick. */
export function smallCrowdedSale(): SimParams {
  const p = crowded();
  return {
    ...p,
    visitors: 120_000,
    sale: { windowMinutes: 360, stock: 4_000_000_000, unit: 10_000 },
    waitingRoom: { ...p.waitingRoom, admissionPerMinute: 250, maxActiveSessions: 4_000 },
    capacity: { maxConnections: 40_000 },
  };
}
