import { describe, expect, it } from 'vitest';
import { APPLY_SLICE, APPLY_SLICE_MAX, APPLY_SLICE_MS, nextSliceLength } from './pull.js';

describe('nextSliceLength', () => {
  it('grows a slice by whole thousands to what fits in its time, between one thousand and four', () => {
    // The constants the table below is worked out for.
    expect([APPLY_SLICE, APPLY_SLICE_MAX, APPLY_SLICE_MS]).toEqual([1_000, 4_000, 80]);
    // [events of the last slice, its milliseconds, the next slice]: by hand, events × 80 / ms, down to a thousand.
    const table: [number, number, number][] = [
      [1_000, 400, 1_000], // a loaded machine: 200 would fit, never below one thousand
      [1_000, 80, 1_000],
      [1_000, 40, 2_000],
      [1_000, 30, 2_000], // 2,666 fit: whole thousands only, so slices end where reads expect them
      [1_000, 26, 3_000], // 3,076
      [2_000, 40, 4_000],
      [4_000, 40, 4_000], // 8,000 would fit: never more than four thousand
      [1_000, 0, 4_000], // no time measured at all
      [37, 10, 1_000], // the short end of a page says little
    ];
    for (const [events, ms, next] of table) expect([events, ms, nextSliceLength(events, ms)]).toEqual([events, ms, next]);
  });
});
