import { describe, expect, it } from 'vitest';
import { ArrivalStream, apportionUnbiased, planSegments } from './arrivals.js';
import { preset2022 } from './params.js';
import { streams } from './random.js';

/** Arrival times (minutes after opening) of the preset's decay curve, as the engine draws them. */
function decayArrivals(seed: number): { minutes: number[]; afterOpening: number; tau: number } {
  const p = preset2022();
  const rs = streams(seed);
  const opensAt = p.arrival.preOpenMinutes * 60;
  const closesAt = opensAt + p.sale.windowMinutes * 60;
  const stream = new ArrivalStream(planSegments(p.arrival, p.visitors, opensAt, closesAt, true, rs.arrivals), rs.arrivals);
  const minutes: number[] = [];
  for (; stream.next < Infinity; stream.advance()) if (stream.next >= opensAt) minutes.push((stream.next - opensAt) / 60);
  return { minutes, afterOpening: p.visitors - Math.round(p.visitors * p.arrival.preOpenShare), tau: p.arrival.decayMinutes };
}

describe('arrival curves', () => {
  it('the decay curve keeps its tail: counts per window match the stated density (chi-square, 6 df)', () => {
    const { minutes, afterOpening, tau } = decayArrivals(11);
    expect(minutes.length).toBe(afterOpening);
    const edges = [0, 10, 30, 60, 90, 120, 150, 240];
    let chi2 = 0;
    const rows: string[] = [];
    for (let i = 0; i + 1 < edges.length; i++) {
      const [a, b] = [edges[i]!, edges[i + 1]!];
      const expected = afterOpening * (Math.exp(-a / tau) - Math.exp(-b / tau));
      const observed = minutes.filter((m) => m >= a && m < b).length;
      chi2 += (observed - expected) ** 2 / expected;
      rows.push(`${a}–${b}: ${observed} vs ${expected.toFixed(1)}`);
    }
    // Past 2¼ hours the preset still expects about 43 arrivals; largest remainders put none there.
    expect(minutes.filter((m) => m >= 140).length, rows.join('; ')).toBeGreaterThan(15);
    // 99.9% point of chi-square with 6 degrees of freedom.
    expect(chi2, rows.join('; ')).toBeLessThan(22.46);
  });

  it('unbiased apportioning gives each bin its exact share on average and always the whole total', () => {
    const rs = streams(5);
    const weights = [5, 0.3, 0.3, 0.2, 0.1, 0.05, 0.05];
    const sums = new Array<number>(weights.length).fill(0);
    const runs = 4_000;
    for (let k = 0; k < runs; k++) {
      const counts = apportionUnbiased(7, weights, rs.arrivals);
      expect(counts.reduce((s, c) => s + c, 0)).toBe(7);
      counts.forEach((c, i) => (sums[i]! += c));
    }
    const total = weights.reduce((s, w) => s + w, 0);
    weights.forEach((w, i) => expect(sums[i]! / runs).toBeCloseTo((7 * w) / total, 1));
  });
});

describe('random streams', () => {
  it('nearby seeds draw unrelated first numbers in every stream', () => {
    const first = Array.from({ length: 200 }, (_, i) => streams(i + 1));
    for (const name of ['arrivals', 'order', 'amounts', 'checkout', 'failures', 'patience', 'returns'] as const) {
      const u = first.map((s) => s[name].uniform());
      const mean = u.reduce((s, x) => s + x, 0) / u.length;
      const spread = Math.sqrt(u.reduce((s, x) => s + (x - mean) ** 2, 0) / u.length);
      // Uniform on (0, 1): mean 0.5, standard deviation 0.289.
      expect(Math.abs(mean - 0.5), name).toBeLessThan(0.07);
      expect(spread, name).toBeGreaterThan(0.22);
    }
  });
});
