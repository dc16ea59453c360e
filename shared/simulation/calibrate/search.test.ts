import { describe, expect, it } from 'vitest';
import { patternSearch } from './search.js';

describe('pattern search', () => {
  it('finds the minimum of a bounded quadratic, and one on the boundary', async () => {
    const target = [0.3, 0.72, 0.55];
    const f = async (pts: number[][]) => pts.map((x) => x.reduce((s, v, i) => s + (i + 1) * (v - target[i]!) ** 2, 0));
    const r = await patternSearch(f, [0.5, 0.5, 0.5], { maxEvaluations: 500, minStep: 1 / 1024 });
    r.x.forEach((v, i) => expect(v).toBeCloseTo(target[i]!, 2));
    // The true minimum lies outside the cube: the search stops at its edge, never beyond.
    const edge = await patternSearch(async (pts) => pts.map((x) => (x[0]! - 1.4) ** 2 + (x[1]! + 0.2) ** 2), [0.5, 0.5], { maxEvaluations: 500 });
    expect(edge.x[0]).toBe(1);
    expect(edge.x[1]).toBe(0);
  });

  it('stops at its evaluation budget and reports progress', async () => {
    const seen: number[] = [];
    const r = await patternSearch(async (pts) => pts.map((x) => Math.abs(x[0]! - 0.123456)), [0.9], { maxEvaluations: 12, minStep: 1e-9, onProgress: (n) => seen.push(n) });
    expect(r.evaluations).toBeLessThanOrEqual(12);
    expect(seen.at(-1)).toBe(r.evaluations);
  });
});
