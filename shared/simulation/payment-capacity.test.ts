import { describe, expect, it } from 'vitest';
import { erlangC, mmcMeanWait } from '../../tests/support/queueing.js';
import { plainQueue, smallCrowdedSale } from '../../tests/support/sim-fixtures.js';
import { simulate } from './engine.js';
import { preset2022, sale2022Uncalibrated, type SimParams } from './params.js';
import { paymentScenario, recommend } from './recommend.js';
import { searchSeeds, upperBound } from './seed-spread.js';

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

/** A sale whose checkouts send payments to a payment system of `tps` transactions a second taking `latencyMs` each. */
const withPayment = (p: SimParams, tps: number | null, latencyMs: number, timeoutMs: number | null = null): SimParams => ({
  ...p,
  checkout: { ...p.checkout, paymentCapacityTps: tps, paymentLatencyMs: latencyMs, paymentTimeoutMs: timeoutMs },
});

describe('the payment system', () => {
  /**
   * Payments arrive as a Poisson stream: Poisson arrivals, admitted at once, fill the form for an
   * exponential time (M/M/∞), and the departures of an M/G/∞ queue fed by Poisson arrivals are
   * Poisson. Twelve slots of exponential service, mean 1 s (12 TPS at 1,000 ms), offered 10 a second:
   * M/M/12 at ρ = 0.83, whose mean wait in queue is Erlang C / (cμ − λ) (tests/support/queueing.ts).
   * Tolerance: the 99% confidence interval of the mean over 12 independent replications,
   * t(0.995; 11) = 3.106 standard errors, plus 1% for the empty start (the queue relaxes in
   * about 1/(μ(1 − √ρ)²) ≈ 120 s of the 20,000 s each run lasts).
   */
  it('agrees with M/M/c (Erlang C): mean wait for the payment system within the 99% confidence interval of 12 replications', () => {
    const lambda = 10; // payments a second
    const seeds = Array.from({ length: 12 }, (_, i) => 301 + i);
    const waits = seeds.map((seed) => {
      const p = plainQueue({ visitors: 200_000, perMinute: lambda * 60, servers: 1_000_000, checkoutSeconds: 30, seed });
      const r = simulate(withPayment(p, 12, 1_000));
      expect(r.payment!.servers).toBe(12);
      expect(r.payment!.attempts).toBe(200_000);
      return r.payment!.meanQueueSeconds;
    });
    const expected = mmcMeanWait(lambda, 1, 12);
    // By hand: a = 10, c = 12 gives C ≈ 0.4493 and Wq = C / 2 ≈ 0.2247 s.
    expect(expected).toBeCloseTo(0.2247, 3);
    const se = sd(waits) / Math.sqrt(waits.length);
    // The check can fail: the interval is a few per cent of the figure, not wide enough to take anything.
    expect(se / expected).toBeLessThan(0.03);
    expect(Math.abs(mean(waits) - expected)).toBeLessThan(3.106 * se + 0.01 * expected);
  });

  it('under overload, queued payments time out, fail and are retried; the sale sells out later than with capacity to spare', () => {
    const base = { ...preset2022(), visitors: 200_000, sale: { ...preset2022().sale, stock: 8_000_000_000 } };
    const spare = simulate(withPayment(base, 1_000, 500, 10_000));
    const tight = simulate(withPayment(base, 5, 500, 10_000));
    expect(spare.payment!.timeouts).toBe(0);
    // 906 admitted a minute send about 15 payments a second; 5 a second cannot keep up.
    expect(tight.payment!.timeouts).toBeGreaterThan(0);
    expect(tight.paymentFailures).toBeGreaterThanOrEqual(tight.payment!.timeouts);
    // Every time-out is one more attempt: attempts = buyers' and failures' first tries + retries.
    expect(tight.payment!.attempts).toBeGreaterThan(spare.payment!.attempts);
    expect(tight.outcomes.paymentFailed).toBeGreaterThan(0);
    expect(tight.payment!.peakQueue).toBeGreaterThan(0);
    expect(tight.soldOutMinute === null || tight.soldOutMinute > spare.soldOutMinute!).toBe(true);
  });

  it('left unset (every round saved before), the 2022 preset and its uncalibrated form keep their results event for event', () => {
    for (const p of [preset2022(), sale2022Uncalibrated()]) {
      const small = { ...p, visitors: 150_000 };
      const before = simulate(small);
      const unlimited = simulate(withPayment(small, null, 0, null));
      const strip = (r: typeof before) => ({ ...r, params: null, elapsedMs: 0 });
      expect(strip(unlimited)).toEqual(strip(before));
      expect(before.payment).toEqual({ servers: null, attempts: 0, timeouts: 0, meanQueueSeconds: 0, peakQueue: 0 });
    }
  });

  it('recommends the M/M/c capacity (steps of 5) at which no payment is expected to time out, stepped up until the recommended admission rate meets the target on every seed without time-outs', async () => {
    // The 2022 sale at a sixth of its size (as recommend.test.ts), four seeds.
    const scenario = smallCrowdedSale();
    const target = 60;
    const { recommendations: r } = await recommend(scenario, async (p) => simulate(p), { targetSellOutMinutes: target, seeds: 4 });
    const pay = r.payment!;
    expect(pay.feasible).toBe(true);
    expect(pay.admissionPerMinute).toBe(r.admission.perMinute);
    // Theory, by the textbook product form (tests/support/queueing.ts, not the study's recursion): the
    // fewest TPS in steps of 5 at which rate ÷ 60 payments a second of 1 s each wait past 30 s with a
    // chance under 0.05 ÷ payments (payments ≤ the admitted over the sale, bounded by 2 × 60 × rate).
    const lambda = pay.admissionPerMinute / 60;
    const payments = 2 * 60 * pay.admissionPerMinute;
    let theory = 5;
    while (!(theory > lambda && erlangC(theory, lambda) * Math.exp(-(theory - lambda) * 30) * payments < 0.05)) theory += 5;
    // The study starts there (its payment count is the buyers, at most this bound) and only steps up.
    expect(pay.tps).toBeGreaterThanOrEqual(theory - 5);
    expect(pay.tps).toBeGreaterThan(lambda);
    const on = (tps: number) => searchSeeds(scenario.seed, 4).map((seed) => simulate({ ...paymentScenario(scenario, pay.admissionPerMinute, tps), seed }));
    const at = on(pay.tps);
    expect(at.every((x) => x.soldOutMinute !== null && x.soldOutMinute <= target && x.payment!.timeouts === 0)).toBe(true);
    expect(upperBound(at.map((x) => x.soldOutMinute!))).toBeLessThanOrEqual(target);
    expect(pay.check).toMatchObject({ seeds: 4, held: 4 });
  }, 300_000);
});
