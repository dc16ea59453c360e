import { describe, expect, it } from 'vitest';
import { simulate } from './engine.js';
import type { SimParams } from './params.js';
// The crowded 2022 sale these estimators were judged on, not the day's calibrated figures.
import { sale2022Uncalibrated as preset2022 } from '../../tests/support/sim-fixtures.js';
import { estimatorSummary } from './result.js';

/** The 2022 sale at a tenth of its size: far more people than stock, many give up or are logged out. */
const crowded: SimParams = {
  ...preset2022(),
  visitors: 70_000,
  sale: { ...preset2022().sale, stock: 2_500_000_000 },
  waitingRoom: { ...preset2022().waitingRoom, admissionPerMinute: 160, maxActiveSessions: 2_000 },
  capacity: { maxConnections: 20_000 },
};

describe('waiting-page estimators', () => {
  it('in an oversold sale, the honest one tells most of those who would get nothing, and is nearer the actual waits', () => {
    const r = simulate(crowded);
    const e = r.estimators!;
    // Everyone sent away for stock after waiting was shown a wait by the naive page.
    expect(e.naive.misledForNothing).toBeGreaterThan(1_000);
    expect(e.honest.pastStockRight + e.honest.misledForNothing).toBe(e.naive.misledForNothing);
    expect(e.honest.pastStockRight).toBeGreaterThan(e.honest.misledForNothing);
    // Some told early are admitted after all (people ahead left faster than the share seen so far): about one in ten here.
    expect(e.honest.pastStockWrong).toBeLessThan(e.honest.pastStockRight / 5);
    expect(e.honest.meanAbsMinutes).toBeLessThan(e.naive.meanAbsMinutes);
    expect(e.honest.bandLowMinutes).toBeLessThanOrEqual(e.honest.bandHighMinutes);
    expect(e.recommended).toBe('honest');
    // Both judged on the same admissions: the honest one only skips those it told "past the stock".
    expect(e.honest.samples + e.honest.pastStockWrong).toBe(e.naive.samples);
  });

  it('with stock for everyone and nobody leaving, the two agree: nobody is past the stock', () => {
    const r = simulate({
      ...crowded,
      visitors: 5_000,
      patience: { kind: 'none', meanMinutes: 60 },
      session: { policy: 'room_keeps_place', timeoutMinutes: null },
      returns: { probability: 0, delayMinutes: 1 },
    });
    const e = r.estimators!;
    expect(e.honest.pastStockRight + e.honest.pastStockWrong + e.naive.misledForNothing).toBe(0);
    expect(e.honest.meanAbsMinutes).toBeCloseTo(e.naive.meanAbsMinutes, 6);
  });

  it('recommends by harm first (people left waiting for nothing), then by accuracy', () => {
    const base = { naive: { samples: 10, meanAbsMinutes: 5, misledForNothing: 100 }, honest: { samples: 10, meanAbsMinutes: 5.5, bandLowMinutes: -1, bandHighMinutes: 2, pastStockRight: 90, pastStockWrong: 2, misledForNothing: 10 } };
    expect(estimatorSummary(base).recommended).toBe('honest');
    // Telling many wrongly that they are past the stock is harm too.
    expect(estimatorSummary({ ...base, honest: { ...base.honest, pastStockWrong: 95 } }).recommended).toBe('naive');
    // Much less accurate for those admitted: not recommended.
    expect(estimatorSummary({ ...base, honest: { ...base.honest, meanAbsMinutes: 9 } }).recommended).toBe('naive');
  });
});
