import { describe, expect, it } from 'vitest';
import { sellOutForecast } from './sale-forecast.js';

const open = Date.parse('2026-12-07T01:00:00Z');
const min = 60_000;

describe('sell-out forecast from the live sale curve', () => {
  it('carries the last five minutes and the passed part of this one forward over the stock left', () => {
    // Opened 10 min 30 s ago. Minutes 5..9 sold 100,000 each, minute 10 (half passed) 50,000: 550,000 in 5.5 min = 100,000/min.
    const sold = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* opening */ 20_000, 20_000, 20_000, 20_000, 20_000, 100_000, 100_000, 100_000, 100_000, 100_000, 50_000];
    const f = sellOutForecast({ nowMs: open + 10.5 * min, opensAtMs: open, closesAtMs: open + 60 * min, left: 1_000_000, soldPerMinute: sold, firstMinute: -10 });
    expect(f.wonPerMinute).toBe(100_000);
    // 1,000,000 left at 100,000 a minute: ten minutes from now.
    expect(f.soldOutAtMs).toBe(open + 20.5 * min);
    expect(f.afterClose).toBe(false);
  });

  it('uses only the time since opening when the sale is younger than the window, and says when the pace runs past closing', () => {
    // Opened 2 min ago: 60,000 sold in 2 minutes = 30,000/min; 900,000 left takes 30 min, past a closing 20 min from now.
    const f = sellOutForecast({ nowMs: open + 2 * min, opensAtMs: open, closesAtMs: open + 22 * min, left: 900_000, soldPerMinute: [30_000, 30_000, 0], firstMinute: 0 });
    expect(f.wonPerMinute).toBe(30_000);
    expect(f.soldOutAtMs).toBe(open + 32 * min);
    expect(f.afterClose).toBe(true);
  });

  it('gives no time when nothing sells (paused) or nothing is left', () => {
    const paused = sellOutForecast({ nowMs: open + 30 * min, opensAtMs: open, closesAtMs: open + 60 * min, left: 500_000, soldPerMinute: new Array(31).fill(0), firstMinute: 0 });
    expect(paused).toEqual({ wonPerMinute: 0, soldOutAtMs: null, afterClose: true });
    const gone = sellOutForecast({ nowMs: open + 3 * min, opensAtMs: open, closesAtMs: open + 60 * min, left: 0, soldPerMinute: [10_000, 10_000, 10_000, 0], firstMinute: 0 });
    expect(gone.soldOutAtMs).toBeNull();
    expect(gone.afterClose).toBe(false);
  });
});
