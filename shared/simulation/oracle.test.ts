import { describe, expect, it } from 'vitest';
import { erlangA, erlangC, mmcMeanWait } from '../../tests/support/queueing.js';
import { plainQueue } from '../../tests/support/sim-fixtures.js';
import { simulate } from './engine.js';
import { defaultSimParams } from './params.js';

const SEEDS = Array.from({ length: 20 }, (_, i) => 101 + i);
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('the simulator agrees with queueing theory', () => {
  it('M/M/c: mean wait matches Erlang C within 5% (20 replications of 60,000 customers, ρ = 0.8)', () => {
    const lambda = 8; // per minute
    const mu = 1; // per minute (60 s checkout)
    const c = 10;
    const expected = mmcMeanWait(lambda, mu, c) * 60; // seconds
    const waits = SEEDS.map((seed) => simulate(plainQueue({ visitors: 60_000, perMinute: lambda, servers: c, checkoutSeconds: 60, seed })).queueing.meanStintSeconds);
    expect(expected).toBeCloseTo(12.28, 1);
    expect(Math.abs(mean(waits) - expected) / expected).toBeLessThan(0.05);
  });

  it('Erlang A: abandonment and mean wait match M/M/c+M within 5% (20 replications, critically loaded, patience 2 min)', () => {
    const lambda = 8;
    const mu = 1;
    const c = 8;
    const theta = 0.5; // per minute: mean patience 2 minutes
    const oracle = erlangA(lambda, mu, c, theta);
    const runs = SEEDS.map((seed) => simulate(plainQueue({ visitors: 30_000, perMinute: lambda, servers: c, checkoutSeconds: 60, patienceMinutes: 1 / theta, seed })));
    const pAbandon = mean(runs.map((r) => r.outcomes.abandoned / r.params.visitors));
    const wait = mean(runs.map((r) => r.queueing.meanStintSeconds / 60));
    expect(oracle.pAbandon).toBeGreaterThan(0.05);
    expect(Math.abs(pAbandon - oracle.pAbandon) / oracle.pAbandon).toBeLessThan(0.05);
    expect(Math.abs(wait - oracle.meanWait) / oracle.meanWait).toBeLessThan(0.05);
  });

  it("Little's law: time-average queue length equals arrival rate × mean time in queue within 1%", () => {
    for (const params of [
      plainQueue({ visitors: 30_000, perMinute: 8, servers: 10, checkoutSeconds: 60, seed: 7 }),
      plainQueue({ visitors: 30_000, perMinute: 8, servers: 8, checkoutSeconds: 60, patienceMinutes: 2, seed: 8 }),
    ]) {
      const { queueing: q } = simulate(params);
      const lambda = q.stints / q.horizonSeconds;
      expect(Math.abs(q.meanQueue - lambda * q.meanStintSeconds) / q.meanQueue).toBeLessThan(0.01);
    }
  });

  it('a capacity-bound sale sells out at stock ÷ purchase throughput within 2%', () => {
    // 5,000 full-limit buyers through 500 checkouts of exactly 60 s: 10 minutes.
    const base = defaultSimParams();
    const params = {
      ...base,
      visitors: 100_000,
      arrival: { ...base.arrival, curve: 'spike' as const, spikeMinutes: 0.5, preOpenShare: 0, preOpenMinutes: 0 },
      sale: { windowMinutes: 120, stock: 500_000_000, unit: 10_000 },
      purchase: { limit: 100_000, fullLimitShare: 1 },
      waitingRoom: { ...base.waitingRoom, admissionPerMinute: null, maxActiveSessions: 500 },
      session: { timeoutMinutes: null, policy: 'room_keeps_place' as const },
      patience: { kind: 'none' as const, meanMinutes: 1 },
      checkout: { meanSeconds: 60, distribution: 'fixed' as const, failureRate: 0, maxRetries: 0 },
      capacity: { maxConnections: null },
    };
    const r = simulate(params);
    const throughputPerMinute = (500 / 60) * 60 * params.purchase.limit; // won per minute
    const expected = params.sale.stock / throughputPerMinute;
    expect(expected).toBeCloseTo(10, 9);
    expect(r.soldOutMinute).not.toBeNull();
    expect(Math.abs(r.soldOutMinute! - expected) / expected).toBeLessThan(0.02);
    expect(r.buyers).toBe(5_000);
  });
});

describe('waits at low load', () => {
  it('M/M/c at ρ = 0.5: every buyer is in the wait histogram and the percentiles follow Erlang C', () => {
    // 10 checkouts of 60 s on average, 5 arrivals a minute: most people are admitted the instant they join.
    const lambda = 5;
    const mu = 1;
    const c = 10;
    // 30,000 at 5 a minute fit the fixture's window, so the arrival rate really is λ.
    const r = simulate(plainQueue({ visitors: 30_000, perMinute: lambda, servers: c, checkoutSeconds: 60, seed: 3 }));
    expect(r.buyers).toBe(30_000);
    expect(r.waitBuyers.count).toBe(r.buyers);
    expect(r.waitHistogram.buyers.reduce((s, n) => s + n, 0)).toBe(r.buyers);
    // P(W > t) = C(c, a)·e^(−(cμ − λ)t): below 10% waits at all, so the 90th percentile is no wait.
    const waitProbability = erlangC(c, lambda / mu);
    expect(waitProbability).toBeLessThan(0.1);
    expect(r.waitBuyers.p90Minutes).toBe(0);
    const p99 = Math.log(waitProbability / 0.01) / (c * mu - lambda); // minutes
    // The histogram has one-second bins and reports the bin's start.
    expect(Math.abs(r.waitBuyers.p99Minutes - p99)).toBeLessThan(0.15 * p99 + 1 / 60);
    expect(r.waitBuyers.maxMinutes).toBeLessThan(5);
  });
});
