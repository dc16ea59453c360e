import { describe, expect, it } from 'vitest';
import { simulate, simulateIfSoldOutBy, SimulationCancelled } from './engine.js';
import { defaultSimParams, simParamsSchema, type SimParams } from './params.js';
// The crowded 2022 sale these mechanics were written against, not the day's calibrated figures.
import { sale2022Uncalibrated as preset2022 } from '../../tests/support/sim-fixtures.js';
import { OUTCOMES, type SimResult } from './result.js';

const small = (patch: Partial<SimParams> = {}): SimParams => ({ ...preset2022(), visitors: 60_000, sale: { windowMinutes: 240, stock: 2_000_000_000, unit: 10_000 }, ...patch });
const strip = ({ elapsedMs: _e, ...rest }: SimResult) => rest;

describe('simulation engine', () => {
  it('reproduces a run exactly from its seed, and differs with another seed', () => {
    const a = simulate(small());
    const b = simulate(small());
    expect(strip(b)).toEqual(strip(a));
    const c = simulate({ ...small(), seed: 99 });
    expect(c.waitBuyers.meanMinutes).not.toBe(a.waitBuyers.meanMinutes);
    expect(c.series.queue).not.toEqual(a.series.queue);
  });

  it('accounts for every visitor exactly once and never oversells', () => {
    for (const p of [small(), small({ capacity: { maxConnections: 5_000 } }), { ...small(), waitingRoom: { ...small().waitingRoom, stockCutoff: true } }]) {
      const r = simulate(p);
      expect(OUTCOMES.reduce((s, o) => s + r.outcomes[o], 0)).toBe(p.visitors);
      expect(r.amountSold).toBeLessThanOrEqual(p.sale.stock);
      expect(r.amountSold % p.sale.unit).toBe(0);
      expect(r.buyers).toBe(r.outcomes.bought);
      expect(r.waitBuyers.count + r.waitFailed.count).toBe(p.visitors);
      expect(r.series.sold.at(-1)).toBe(r.amountSold);
      expect(r.series.stockLeft.every((v) => v >= 0)).toBe(true);
    }
  });

  it("counts every stint in a person's wait: the waits summed over people are the stints summed, also for those who queued again", () => {
    // Logged out after 10 minutes, people come back and queue again: a later stint adds to what they waited before.
    for (const p of [small(), { ...small(), waitingRoom: { ...small().waitingRoom, order: 'shuffle_preopen' as const } }]) {
      const r = simulate(p);
      expect(r.logouts).toBeGreaterThan(1_000);
      const waited = (r.waitBuyers.meanMinutes * r.waitBuyers.count + r.waitFailed.meanMinutes * r.waitFailed.count) * 60;
      const stints = r.queueing.stints * r.queueing.meanStintSeconds;
      // Each person's total is kept in Float32: a relative error of 1e-7 an addition, not the stints of whole people.
      expect(Math.abs(waited - stints) / stints).toBeLessThan(1e-5);
    }
  });

  it('decrements stock exactly: the last buyer gets what is left', () => {
    const base = defaultSimParams();
    const r = simulate({
      ...base,
      visitors: 10,
      arrival: { ...base.arrival, curve: 'spike', spikeMinutes: 1, preOpenShare: 0 },
      sale: { windowMinutes: 60, stock: 1_050_000, unit: 10_000 },
      purchase: { limit: 400_000, fullLimitShare: 1 },
      checkout: { ...base.checkout, failureRate: 0 },
      patience: { kind: 'none', meanMinutes: 1 },
      capacity: { maxConnections: null },
    });
    expect(r.amountSold).toBe(1_050_000);
    expect(r.buyers).toBe(3);
    expect(r.soldOutMinute).not.toBeNull();
    expect(r.outcomes.soldOut).toBe(7);
  });

  it('reports when the stock was all taken apart from the last payment: nobody is admitted after it', () => {
    const base = small({ sale: { windowMinutes: 240, stock: 300_000_000, unit: 10_000 } });
    const p = { ...base, checkout: { ...base.checkout, failureRate: 0 } };
    let lastAdmission = 0;
    const r = simulate(p, { onAdmit: (_id, seconds) => (lastAdmission = Math.max(lastAdmission, seconds)) });
    expect(r.amountSold).toBe(p.sale.stock);
    expect(r.stockReservedMinute).not.toBeNull();
    expect(r.stockReservedMinute!).toBeLessThan(r.soldOutMinute!);
    expect(lastAdmission / 60).toBeCloseTo(r.stockReservedMinute!, 6);
  });

  it('reproduces 2022: a 10-minute session logs people out; one longer than the longest wait logs nobody out', () => {
    // 60 minutes (Seoul's fix at 10:40) is at the edge: the longest waits end near the last payment, 55–60 minutes in.
    const ten = simulate(preset2022());
    const sixty = simulate({ ...preset2022(), session: { timeoutMinutes: 75, policy: 'expires_while_waiting' } });
    expect(ten.logouts).toBeGreaterThan(100_000);
    expect(ten.requeues).toBeGreaterThan(ten.logouts / 2);
    expect(sixty.logouts).toBe(0);
    // It sold out in about an hour either way, with people still waiting.
    for (const r of [ten, sixty]) {
      expect(r.soldOutMinute).toBeGreaterThan(30);
      expect(r.soldOutMinute).toBeLessThan(90);
      expect(r.outcomes.soldOut).toBeGreaterThan(10_000);
    }
    // The longest wait without a logout is below 75 minutes and above 10.
    expect(sixty.maxSessionMinutes).toBeLessThan(75);
    expect(sixty.maxSessionMinutes).toBeGreaterThan(10);
  });

  it('keeps places when the room holds them, whatever the session timeout', () => {
    const r = simulate({ ...preset2022(), visitors: 200_000, session: { timeoutMinutes: 1, policy: 'room_keeps_place' } });
    expect(r.logouts).toBe(0);
  });

  it('turns connections away beyond server capacity and counts returns', () => {
    const r = simulate(small({ capacity: { maxConnections: 2_000 } }));
    expect(r.peakConnections).toBeLessThanOrEqual(2_000);
    expect(r.refusedConnections).toBeGreaterThan(0);
    expect(r.outcomes.refusedLeft).toBeGreaterThan(0);
    const unlimited = simulate(small({ capacity: { maxConnections: null } }));
    expect(unlimited.refusedConnections).toBe(0);
  });

  it('saves waiting time with the stock-aware cut-off, without selling less', () => {
    const p = { ...preset2022(), session: { timeoutMinutes: 60, policy: 'expires_while_waiting' as const } };
    const without = simulate(p);
    const withCut = simulate({ ...p, waitingRoom: { ...p.waitingRoom, stockCutoff: true } });
    expect(withCut.outcomes.cut).toBeGreaterThan(0);
    expect(withCut.personHoursLost).toBeLessThan(without.personHoursLost / 5);
    expect(withCut.amountSold).toBe(without.amountSold);
  });

  it('shows an estimated wait from the queue ahead and measures how wrong it was', () => {
    const r = simulate(preset2022());
    expect(r.displayError.samples).toBeGreaterThan(0);
    expect(r.displayError.maxDisplayedMinutes).toBeGreaterThan(60);
    expect(r.series.displayedWait.some((v) => v !== null && v > 60)).toBe(true);
    expect(r.series.actualWait.some((v) => v !== null && v > 0)).toBe(true);
  });

  it('admits pre-opening arrivals in arrival order (FIFO) or by lottery (shuffle)', () => {
    // No logouts, refusals or give-ups, which would send people to the back.
    const p: SimParams = {
      ...small(),
      arrival: { ...small().arrival, preOpenShare: 0.5, preOpenMinutes: 30 },
      session: { timeoutMinutes: null, policy: 'room_keeps_place' },
      capacity: { maxConnections: null },
      patience: { kind: 'none', meanMinutes: 1 },
    };
    const order = (q: SimParams): number[] => {
      const seen: number[] = [];
      simulate(q, { onAdmit: (person) => seen.length < 2_000 && seen.push(person) });
      return seen;
    };
    const inversions = (xs: number[]) => xs.reduce((n, x, i) => n + (i > 0 && x < xs[i - 1]! ? 1 : 0), 0);
    expect(inversions(order(p))).toBe(0);
    const shuffled = order({ ...p, waitingRoom: { ...p.waitingRoom, order: 'shuffle_preopen' } });
    expect(inversions(shuffled)).toBeGreaterThan(500);
  });

  it('opens birth-year slots at their own times', () => {
    const p = small({
      waitingRoom: { ...small().waitingRoom, order: 'birth_year', slots: [{ share: 0.5, startMinute: 0 }, { share: 0.5, startMinute: 120 }] },
      session: { timeoutMinutes: null, policy: 'room_keeps_place' },
      capacity: { maxConnections: null },
    });
    const r = simulate(p);
    expect(r.requeues).toBe(0);
    const idx = (minute: number) => minute - r.series.firstMinute;
    const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
    // Nobody of the second slot arrives before its 120th minute; the first slot's decay tail (about 7 people) may.
    const early = sum(r.series.arrivals.slice(0, idx(120) + 1));
    expect(early).toBeLessThanOrEqual(30_000);
    expect(early).toBeGreaterThan(29_950);
    expect(sum(r.series.arrivals)).toBe(60_000);
    expect(r.series.arrivals[idx(121)]).toBeGreaterThan(1_000);
  });

  it('reports progress and can be cancelled', () => {
    const seen: number[] = [];
    simulate(small(), { onProgress: (f) => seen.push(f) });
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((f, i) => i === 0 || f >= seen[i - 1]!)).toBe(true);
    expect(() => simulate(preset2022(), { shouldStop: () => true })).toThrow(SimulationCancelled);
  });

  it('validates its parameters', () => {
    expect(simParamsSchema.safeParse(preset2022()).success).toBe(true);
    expect(simParamsSchema.safeParse({ ...preset2022(), visitors: 30_000_000 }).success).toBe(false);
    expect(simParamsSchema.safeParse({ ...preset2022(), checkout: { ...preset2022().checkout, failureRate: 1 } }).success).toBe(false);
  });
});

describe('probing whether a sale sells out by a minute', () => {
  it('stops with null once the minute passes with stock unsold, and otherwise gives exactly the full run', () => {
    const params = small({ waitingRoom: { ...preset2022().waitingRoom, admissionPerMinute: 300 } });
    const full = simulate(params);
    expect(full.soldOutMinute).not.toBeNull();
    const minute = full.soldOutMinute!;
    expect(simulateIfSoldOutBy(params, Math.floor(minute) - 1)).toBeNull();
    expect(simulateIfSoldOutBy(params, minute - 1e-6)).toBeNull();
    expect({ ...simulateIfSoldOutBy(params, minute)!, elapsedMs: 0 }).toEqual({ ...full, elapsedMs: 0 });
  });
});
