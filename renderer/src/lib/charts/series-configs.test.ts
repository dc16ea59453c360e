import { describe, expect, it } from 'vitest';
import { lineChart } from './series-configs.js';

describe('lineChart', () => {
  const dataset = (values: (number | null)[]) => lineChart([0, 1, 2, 3, 4, 5], [{ label: 'x', values }]).data.datasets[0] as { pointRadius: number; clip?: false };
  const radius = (values: (number | null)[]) => dataset(values).pointRadius;

  it('draws a series with only one value (a live sale after one minute) as a visible dot', () => {
    expect(radius([40_000, null, null, null, null, null])).toBe(4);
    // At minute 0 and the axis's top, a clipped dot would be cut to a quarter.
    expect(dataset([40_000, null, null, null, null, null]).clip).toBe(false);
  });

  it('draws a series of two or more values as a line without dots', () => {
    expect(radius([40_000, 90_000, null, null, null, null])).toBe(0);
    expect(radius([1, 2, 3, 4, 5, 6])).toBe(0);
    // A line stays clipped: a chart's yMax cuts outliers off on purpose.
    expect(dataset([1, 2, 3, 4, 5, 6]).clip).toBeUndefined();
  });
});
