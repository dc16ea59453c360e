import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preset2022 } from '../../simulation/params.js';
import { admissionScenario, recommend, sessionScenario } from '../../simulation/recommend.js';
import { HOLD_SHARE, toleranceFactor, upperBound } from '../../simulation/seed-spread.js';
import { WorkerSimRunner } from './sim-runner.js';

describe('the margin over seeds', () => {
  it('uses the one-sided normal tolerance factor of the tables (95% of the population, 90% confidence)', () => {
    // Exact k = t'(0.90; n − 1, z(0.95)·√n) / √n, the noncentral t quantile (scipy.stats.nct.ppf): 2.568 for
    // n = 10, 2.208 for n = 20, 1.965 for n = 50. Natrella's approximation is within 3% of them, closer as n grows.
    for (const [n, k, within] of [[10, 2.568, 0.03], [20, 2.208, 0.015], [50, 1.965, 0.01]] as const) expect(Math.abs(toleranceFactor(n) - k) / k, `n = ${n}`).toBeLessThan(within);
    // Mean 10, sd 1 (by hand: 9, 11 alternating over 20 values has sd √(20/19)).
    const xs = Array.from({ length: 20 }, (_, i) => (i % 2 ? 11 : 9));
    expect(upperBound(xs)).toBeCloseTo(10 + toleranceFactor(20) * Math.sqrt(20 / 19), 9);
    // One value, or one far out: the largest seen is never undercut.
    expect(upperBound([7])).toBe(7);
    expect(upperBound([...Array.from({ length: 19 }, () => 1), 100])).toBeGreaterThanOrEqual(100);
  });
});

let dir: string;
let workerFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ic-recommend-seeds-'));
  workerFile = join(dir, 'sim-worker.cjs');
  await build({ entryPoints: ['shared/node/simulation/sim-worker.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: workerFile, logLevel: 'silent' });
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Issue 20 item 1. The 2022 preset (700,000 visitors, every run at full size)
 * with a 60-minute target: the recommendations are searched on the default 20
 * seeds, then checked on 20 seeds they never saw. Searched on one seed, as
 * before, they held on 7/20 (session, 76 min) and 4/20 (admission, 1,250/min)
 * of these seeds (scripts/bench/recommend-seeds.ts on the refitted preset).
 * The ~80 full-size runs go to two worker threads, as the console runs them.
 */
describe('recommendations on seeds they were not searched on', () => {
  it('the session timeout logs nobody out, and the admission rate sells out within the target, on at least 19 of 20 unseen seeds', async () => {
    const base = preset2022();
    const target = 60;
    const runner = new WorkerSimRunner(workerFile, 2);
    const signal = new AbortController().signal;
    // Without the payment capacity (payment-capacity.test.ts checks it): twenty runs of the preset fewer, which are not what this checks.
    const { recommendations: r } = await recommend(base, (p, onProgress) => runner.run(p, onProgress, signal), {
      targetSellOutMinutes: target,
      probe: (p, m, onProgress) => runner.probe(p, m, onProgress, signal),
      paymentSearch: false,
    });

    // Seeds far from the 20 searched (base.seed … base.seed + 19).
    const unseen = Array.from({ length: 20 }, (_, i) => base.seed + 1_000 + i);
    const [sessions, admissions] = await Promise.all([
      Promise.all(unseen.map((seed) => runner.run(sessionScenario({ ...base, seed }, r.session.minutes), () => {}, signal))),
      Promise.all(unseen.map((seed) => runner.probe(admissionScenario({ ...base, seed }, r.admission.perMinute), target, () => {}, signal))),
    ]);
    const sessionHeld = sessions.filter((s) => s.logouts === 0).length;
    const admissionHeld = admissions.filter((a) => a !== null).length;
    const needed = Math.ceil(HOLD_SHARE * unseen.length);
    expect(sessionHeld, `session ${r.session.minutes} min held on ${sessionHeld}/20`).toBeGreaterThanOrEqual(needed);
    expect(admissionHeld, `admission ${r.admission.perMinute}/min held on ${admissionHeld}/20`).toBeGreaterThanOrEqual(needed);
    // And they say so: held on all 20 seeds searched.
    expect(r.session.check).toMatchObject({ seeds: 20, held: 20 });
    expect(r.admission.check).toMatchObject({ seeds: 20, held: 20 });
    expect(r.admission.feasible).toBe(true);
  }, 900_000);
});
