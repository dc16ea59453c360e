import { describe, expect, it } from 'vitest';
import { simulate } from './engine.js';
import type { SimParams } from './params.js';
// The crowded 2022 sale these searches were written against, not the day's calibrated figures.
import { sale2022Uncalibrated as preset2022 } from '../../tests/support/sim-fixtures.js';
import { recommend, type RunSimulation } from './recommend.js';
import { recommendSequential } from '../../tests/support/recommend-reference.js';

/** The 2022 sale at a sixth of its size, so a search of a dozen runs stays quick. */
const scenario: SimParams = {
  ...preset2022(),
  visitors: 120_000,
  sale: { windowMinutes: 360, stock: 4_000_000_000, unit: 10_000 },
  waitingRoom: { ...preset2022().waitingRoom, admissionPerMinute: 250, maxActiveSessions: 4_000 },
  capacity: { maxConnections: 40_000 },
};
const run: RunSimulation = async (params, onProgress) => simulate(params, { onProgress });

describe('recommendations', () => {
  it('finds the smallest session timeout with no logouts, the admission rate for a 60-minute sell-out, and the hours the cut-off saves', async () => {
    const progress: number[] = [];
    const { recommendations: r, backing } = await recommend(scenario, run, { targetSellOutMinutes: 60, onProgress: (f) => progress.push(f) });
    const backed = (key: string) => backing.find((b) => b.key === key)!.result;

    // Session: the backing run logs nobody out; one minute less does.
    expect(r.session.baselineLogouts).toBeGreaterThan(0);
    expect(backed('session').logouts).toBe(0);
    expect(backed('session').params.session.timeoutMinutes).toBe(r.session.minutes);
    const shorter = simulate({ ...scenario, session: { policy: 'expires_while_waiting', timeoutMinutes: r.session.minutes - 1 } });
    expect(shorter.logouts).toBeGreaterThan(0);

    // Admission: sells out within 60 minutes; 50 a minute fewer does not.
    expect(r.admission.feasible).toBe(true);
    expect(backed('admission').soldOutMinute).toBeLessThanOrEqual(60);
    expect(backed('admission').params.waitingRoom.admissionPerMinute).toBe(r.admission.perMinute);
    const slower = simulate({ ...backed('admission').params, waitingRoom: { ...backed('admission').params.waitingRoom, admissionPerMinute: r.admission.perMinute - 50 } });
    expect(slower.soldOutMinute === null || slower.soldOutMinute > 60).toBe(true);
    expect(r.admission.peakActive).toBeLessThanOrEqual(r.capacity!);

    // Cut-off: people told early lose far fewer hours, and nothing less is sold.
    expect(r.cutoff.savedHours).toBeGreaterThan(0);
    expect(r.cutoff.savedHours).toBeCloseTo(backed('cutoff-off').personHoursLost - backed('cutoff-on').personHoursLost, 6);
    expect(r.cutoff.amountSoldWith).toBe(r.cutoff.amountSoldWithout);

    expect(progress.at(-1)).toBe(1);
    expect(progress.every((f, i) => i === 0 || f >= progress[i - 1]! - 1e-9)).toBe(true);
  });

  it('says so when the servers cannot carry the rate a target needs', async () => {
    const tight = { ...scenario, waitingRoom: { ...scenario.waitingRoom, maxActiveSessions: 200 } };
    const { recommendations: r } = await recommend(tight, run, { targetSellOutMinutes: 20 });
    expect(r.admission.feasible).toBe(false);
    if (!r.admission.feasible) {
      expect(r.admission.reason).toBe('capacity');
      expect(r.admission.peakActive).toBeGreaterThan(200);
    }
  });

  it('recommends exactly what the one-run-at-a-time bisection recommended, from the same runs’ settings, with runs going at once', async () => {
    for (const [seed, target] of [[1, 60], [2, 45], [3, 90]] as const) {
      const params = { ...scenario, seed };
      let inFlight = 0;
      let most = 0;
      let runs = 0;
      const parallel: RunSimulation = async (p) => {
        runs++;
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 0));
        const result = simulate(p);
        inFlight--;
        return result;
      };
      let referenceRuns = 0;
      const counted: RunSimulation = async (p) => (referenceRuns++, simulate(p));
      const fast = await recommend(params, parallel, { targetSellOutMinutes: target });
      const reference = await recommendSequential(params, counted, { targetSellOutMinutes: target });
      expect(fast.recommendations, `seed ${seed}`).toEqual(reference.recommendations);
      expect(fast.backing.map((b) => [b.key, b.result.params])).toEqual(reference.backing.map((b) => [b.key, b.result.params]));
      // Two probes a round cost a run or two more in all, for fewer rounds of waiting.
      expect(runs).toBeLessThanOrEqual(referenceRuns + 3);
      expect(most).toBeGreaterThan(1);
    }
  }, 120_000);
});
