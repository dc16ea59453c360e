import { describe, expect, it } from 'vitest';
import { simulate } from '../engine.js';
import type { SimParams } from '../params.js';
import { sale2022Uncalibrated as preset2022 } from '../../../tests/support/sim-fixtures.js';
import { calibrate, NothingToFit, observedPace, type RunBatch } from './calibrate.js';
import { simulatedFacePerMinute } from './objective.js';
import { DEFAULT_OPTIONS, DEFAULT_WEIGHTS, NO_FACTS } from './schema.js';

const runBatch: RunBatch = async (batch) => batch.map((p) => simulate(p));

/** A mid-sized sale whose queue drains before the stock runs out: throughput, then the arrivals' tail, shape the curve. */
const truth: SimParams = {
  ...preset2022(),
  seed: 7,
  visitors: 40_000,
  arrival: { curve: 'decay', spikeMinutes: 5, decayMinutes: 25, perMinute: [], preOpenShare: 0.2, preOpenMinutes: 5 },
  sale: { windowMinutes: 240, stock: 20_000_000_000, unit: 10_000 },
  waitingRoom: { ...preset2022().waitingRoom, admissionPerMinute: 600, maxActiveSessions: 5_000 },
  session: { timeoutMinutes: null, policy: 'room_keeps_place' },
  capacity: { maxConnections: null },
};

describe('calibration', () => {
  it('recovers the visitors and admission rate a sale was generated with within 10% and reports them pinned; the arrival decay within 20% or left at the start', async () => {
    const day = simulate(truth);
    const facePerMinute = simulatedFacePerMinute(day, 1, 240).slice(0, 150);
    // Start well away from the truth, on another seed than the day's.
    const start: SimParams = { ...truth, seed: 1234, visitors: 70_000, arrival: { ...truth.arrival, decayMinutes: 10 }, waitingRoom: { ...truth.waitingRoom, admissionPerMinute: 300 } };
    const fit = await calibrate(
      start,
      { facePerMinute, facts: NO_FACTS },
      { ...DEFAULT_OPTIONS, free: ['visitors', 'arrivalShape', 'admissionPerMinute'], searchVisitors: 20_000, maxEvaluations: 300, confirmAtFullScale: true },
      runBatch,
    );
    expect(fit.confirmed).toBe(true);
    // The decay shows only in the tail after the queue drains, a few hundred purchases: it is the loosest.
    expect(Math.abs(fit.params.visitors / truth.visitors - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.params.waitingRoom.admissionPerMinute! / truth.waitingRoom.admissionPerMinute! - 1)).toBeLessThan(0.1);
    // The decay moves the objective little (identifiability.ts): pinned or kept jointly, it is within 20%; otherwise it stays at the start's 10 minutes.
    const decay = fit.identified!.find((d) => d.key === 'arrivalShape')!;
    if (decay.pinned || decay.joint) expect(Math.abs(fit.params.arrival.decayMinutes / truth.arrival.decayMinutes - 1)).toBeLessThan(0.2);
    else expect(fit.params.arrival.decayMinutes).toBeCloseTo(10, 6);
    expect(fit.identified!.filter((d) => d.pinned).map((d) => d.key)).toEqual(expect.arrayContaining(['visitors', 'admissionPerMinute']));
    expect(fit.objective).toBeLessThan(fit.startObjective / 10);
    const cum = fit.rows.find((r) => r.measure === 'cumulative')!;
    expect(cum.error!).toBeLessThan(0.05);
    // About 8 s on an idle core; room for a loaded machine.
  }, 120_000);

  it('starts admission at the pace the ledger shows: the busiest five minutes over the average purchase, or buyers over minutes from facts', () => {
    expect(observedPace({ facePerMinute: [0, 10, 40, 40, 40, 40, 40, 5], facts: NO_FACTS }, 10)).toBe(4);
    expect(observedPace({ facePerMinute: [], facts: { ...NO_FACTS, buyers: 64_650, sellOutMinutes: 74 } }, 0)).toBeCloseTo(873.6, 1);
    expect(observedPace({ facePerMinute: [], facts: NO_FACTS }, 0)).toBeNull();
  });

  it('refuses a fit with nothing observed', async () => {
    await expect(calibrate(truth, { facePerMinute: [], facts: NO_FACTS }, { ...DEFAULT_OPTIONS, weights: DEFAULT_WEIGHTS }, runBatch)).rejects.toBeInstanceOf(NothingToFit);
  });
});
