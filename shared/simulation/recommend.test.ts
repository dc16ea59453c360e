import { describe, expect, it } from 'vitest';
import { simulate, simulateIfSoldOutBy } from './engine.js';
import type { SimParams } from './params.js';
// The crowded 2022 sale these searches were written against (not the day's calibrated figures), at a sixth of its size.
import { smallCrowdedSale } from '../../tests/support/sim-fixtures.js';
import { recommend, type ProbeSimulation, type Recommendations, type RunSimulation } from './recommend.js';
import type { SimResult } from './result.js';
import { recommendSequential } from '../../tests/support/recommend-reference.js';

const scenario: SimParams = smallCrowdedSale();
const run: RunSimulation = async (params, onProgress) => simulate(params, { onProgress });
/** The single-seed search of before; the seeds' checks are in shared/node/simulation/recommend-seeds.test.ts. */
const ONE_SEED = 1;
/** The recommendations without the seeds' checks and the payment capacity, which the single-run reference does not make. */
const unchecked = (r: Recommendations) => ({
  ...r,
  payment: undefined,
  session: { ...r.session, check: undefined },
  admission: { ...r.admission, check: undefined },
});

describe('recommendations', () => {
  it('finds the smallest session timeout with no logouts, the admission rate for a 60-minute sell-out, and the hours the cut-off saves', async () => {
    const progress: number[] = [];
    const { recommendations: r, backing } = await recommend(scenario, run, { targetSellOutMinutes: 60, seeds: ONE_SEED, onProgress: (f) => progress.push(f) });
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
    const { recommendations: r } = await recommend(tight, run, { targetSellOutMinutes: 20, seeds: ONE_SEED });
    expect(r.admission.feasible).toBe(false);
    if (!r.admission.feasible) {
      expect(r.admission.reason).toBe('capacity');
      expect(r.admission.peakActive).toBeGreaterThan(200);
    }
  });

  it('recommends exactly what the one-run-at-a-time bisection recommended, backed by the very same runs, from far fewer runs going at once', async () => {
    const stoppedEarly: number[] = [];
    for (const [seed, target] of [[1, 60], [2, 45], [3, 90], [4, 30]] as const) {
      const params = { ...scenario, seed };
      let inFlight = 0;
      let most = 0;
      let runs = 0;
      let early = 0;
      const later = () => new Promise((r) => setTimeout(r, 0));
      const parallel: RunSimulation = async (p) => {
        runs++;
        most = Math.max(most, ++inFlight);
        await later();
        const result = simulate(p);
        inFlight--;
        return result;
      };
      const probe: ProbeSimulation = async (p, minutes) => {
        runs++;
        most = Math.max(most, ++inFlight);
        await later();
        const result = simulateIfSoldOutBy(p, minutes);
        if (result === null) early++;
        inFlight--;
        return result;
      };
      let referenceRuns = 0;
      const counted: RunSimulation = async (p) => (referenceRuns++, simulate(p));
      const fast = await recommend(params, parallel, { targetSellOutMinutes: target, probe, seeds: ONE_SEED, paymentSearch: false });
      const reference = await recommendSequential(params, counted, { targetSellOutMinutes: target });
      expect(unchecked(fast.recommendations), `seed ${seed}`).toEqual(unchecked(reference.recommendations));
      // Every backing run, the session's included (which is not run again but taken from the
      // kept run), is the run the reference made, number for number.
      const strip = (b: { key: string; result: SimResult }) => [b.key, { ...b.result, elapsedMs: 0 }];
      expect(fast.backing.map(strip), `seed ${seed}`).toEqual(reference.backing.map(strip));
      expect(runs, `seed ${seed}: ${runs} runs vs ${referenceRuns}`).toBeLessThan(referenceRuns);
      // Where the kept run predicts the rate well (the queue never runs dry): the baseline, the kept
      // run, the cut-off comparison and one round of at most two probes. At a 30-minute target the
      // queue runs dry, the prediction falls short and the search takes more rounds.
      if (target >= 45) expect(runs, `seed ${seed}`).toBeLessThanOrEqual(5);
      expect(most).toBeGreaterThan(1);
      stoppedEarly.push(early);
    }
    // Probes that miss the target stop at its minute.
    expect(stoppedEarly.some((n) => n > 0)).toBe(true);
  }, 120_000);

  it('predicts the admission rate from the kept run well enough that one round of probes ends the search', async () => {
    for (const target of [60, 45, 90]) {
      const probes: number[] = [];
      let settled = false;
      const probe: ProbeSimulation = async (p, minutes) => {
        // Every probe is asked for before any answers: one round.
        expect(settled).toBe(false);
        probes.push(p.waitingRoom.admissionPerMinute!);
        await new Promise((r) => setTimeout(r, 0));
        settled = true;
        return simulateIfSoldOutBy(p, minutes);
      };
      const { recommendations: r } = await recommend(scenario, run, { targetSellOutMinutes: target, probe, seeds: ONE_SEED, paymentSearch: false });
      expect(probes.length, `target ${target}`).toBeLessThanOrEqual(2);
      // The rate just below the answer was probed (and missed), so the answer is the smallest.
      expect(probes, `target ${target}`).toContain(r.admission.perMinute - 50);
    }
  });
});
