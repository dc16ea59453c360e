import { describe, expect, it } from 'vitest';
import { waitBand } from '../../server/sale/wait-band.js';

describe('wait band in a sale’s first seconds', () => {
  it('says nothing while fewer than a quarter of the 10 s slots have admitted anyone', () => {
    // 30 slots (5 minutes), admissions in one: the fast quartile is 0 admitted per slot, so no finite wait can be said.
    expect(waitBand(99, [...Array<number>(29).fill(0), 10])).toBeNull();
    expect(waitBand(0, [...Array<number>(23).fill(0), ...Array<number>(7).fill(5)])).toBeNull();
  });

  it('gives a finite band once a quarter of the slots have admissions', () => {
    // Sorted: 22 zeros then 8 slots of 10; the 75th percentile (index 22) is 10, the 25th (index 7) is 0.
    // 100 ahead at 10 per 10 s: 100 s; the slow quartile admitted nobody, so its bound is unknown.
    expect(waitBand(99, [...Array<number>(22).fill(0), ...Array<number>(8).fill(10)])).toEqual({ p25Seconds: 100, p75Seconds: null });
  });
});
