import { describe, expect, it } from 'vitest';
import { lineChart } from './series-configs.js';

describe('lineChart', () => {
  const radius = (values: (number | null)[]) => (lineChart([0, 1, 2, 3, 4, 5], [{ label: 'x', values }]).data.datasets[0] as { pointRadius: number }).pointRadius;

  it('draws a series with only one value (a live sale after one minute) as a visible dot', () => {
    expect(radius([40_000, null, null, null, null, null])).toBe(3);
  });

  it('draws a series of two or more values as a line without dots', () => {
    expect(radius([40_000, 90_000, null, null, null, null])).toBe(0);
    expect(radius([1, 2, 3, 4, 5, 6])).toBe(0);
  });
});
