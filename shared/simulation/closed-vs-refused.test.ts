import { describe, expect, it } from 'vitest';
import { simulate } from './engine.js';
import { defaultSimParams, type SimParams } from './params.js';

/**
 * 500 people arrive over a 10-minute window; the servers hold 50 connections,
 * all taken by the first 50, who then pay for 30 minutes. Everyone else is
 * refused and comes back 5 minutes later, again and again, so every one of the
 * 450 is finally back after closing while the 50 still hold every connection.
 * Hand count: 50 bought, 450 closed, none "refused, left".
 */
function capFilledByPayers(): SimParams {
  const base = defaultSimParams();
  return {
    ...base,
    visitors: 500,
    arrival: { ...base.arrival, curve: 'spike', spikeMinutes: 10, preOpenShare: 0, preOpenMinutes: 0 },
    sale: { windowMinutes: 10, stock: 1_000_000_000, unit: 10_000 },
    purchase: { limit: 400_000, fullLimitShare: 1 },
    waitingRoom: { ...base.waitingRoom, admissionPerMinute: 1_000, maxActiveSessions: 50 },
    session: { timeoutMinutes: null, policy: 'room_keeps_place' },
    returns: { probability: 1, delayMinutes: 5 },
    patience: { kind: 'none', meanMinutes: 1 },
    checkout: { meanSeconds: 1_800, distribution: 'fixed', failureRate: 0, maxRetries: 0 },
    capacity: { maxConnections: 50 },
  };
}

describe('after closing', () => {
  it('counts people coming back as closed, not refused, even when people paying fill the connection cap', () => {
    const p = capFilledByPayers();
    const r = simulate(p);
    expect(r.buyers).toBe(50);
    expect(r.outcomes.closed).toBe(450);
    expect(r.outcomes.refusedLeft).toBe(0);
    // No refusal is counted from the closing minute on.
    const closingIndex = p.sale.windowMinutes - r.series.firstMinute;
    expect(r.series.refused.slice(closingIndex + 1).every((v) => v === 0)).toBe(true);
  });
});
