import { describe, expect, it } from 'vitest';
import type { SaleMonitorView } from '#shared/api/sale-schemas.js';
import { lastFullMinute, saleCurves, saleStateKey } from './sale-view.js';

const opens = '2026-12-07T01:00:00.000Z';
const live = (patch: Partial<SaleMonitorView['live']> = {}): SaleMonitorView['live'] => ({
  roundId: 'r', at: '2026-12-07T01:03:30.000Z', opensAt: opens, closesAt: '2026-12-07T01:10:00.000Z',
  stock: 100_000, left: 40_000, sold: 60_000, purchases: 4, arrivals: 9, admitted: 6, waiting: 3, active: 2, expired: 0, refused: 0, paymentErrors: 0,
  purchasesPerSecond: 0.1,
  // Two minutes before opening, then minutes 0..3 (3 still filling).
  perMinute: { firstMinute: -2, arrivals: [2, 1, 3, 2, 1, 0], admitted: [0, 0, 3, 2, 1, 0], sold: [0, 0, 10_000, 20_000, 20_000, 10_000] },
  wait: null, writerLag: 0, paused: false, stopped: false, soldOut: false,
  settings: { admissionPerMinute: 60, maxActiveSessions: 10, sessionTimeoutMinutes: 10 }, lastChange: null, proposals: [],
  ...patch,
});

describe('the live monitor view', () => {
  it('draws the running sum of the live curve from the opening and the simulated curve beside it', () => {
    const v: SaleMonitorView = {
      roundName: 'x', live: live(),
      simulated: { runId: 's', label: 'approved', firstMinute: -1, sold: [0, 5_000, 15_000, 30_000, 50_000, 80_000, 100_000], waitP50Minutes: 1, waitP90Minutes: 2, soldOutMinute: 5 },
      forecast: { wonPerMinute: 0, soldOutAt: null, afterClose: false },
    };
    const c = saleCurves(v);
    // The simulation sells out at minute 5, drawn to 5 + 5 = 10 (the closing); live runs to minute 3.
    expect(c.minutes).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(c.live.slice(0, 5)).toEqual([10_000, 30_000, 50_000, 60_000, null]);
    // Simulated minute x is sold[x + 1]; past its last value the curve stays at the last.
    expect(c.simulated!.slice(0, 7)).toEqual([5_000, 15_000, 30_000, 50_000, 80_000, 100_000, 100_000]);
  });

  it('names the state, a stop before a sell-out before a pause, and reads the last complete minute', () => {
    expect(saleStateKey(live())).toBe('saleMonitor.stateOpen');
    expect(saleStateKey(live({ paused: true }))).toBe('saleMonitor.statePaused');
    expect(saleStateKey(live({ paused: true, soldOut: true }))).toBe('saleMonitor.stateSoldOut');
    expect(saleStateKey(live({ soldOut: true, stopped: true }))).toBe('saleMonitor.stateStopped');
    expect(saleStateKey(live({ at: '2026-12-07T01:10:00.000Z' }))).toBe('saleMonitor.stateClosed');
    expect(lastFullMinute([2, 1, 3, 2, 1, 0])).toBe(1);
    expect(lastFullMinute([4])).toBe(0);
  });
});
