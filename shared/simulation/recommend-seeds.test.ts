import { describe, expect, it } from 'vitest';
import { simulate, simulateIfSoldOutBy } from './engine.js';
import { preset2022 } from './params.js';
import { admissionScenario, recommend, sessionScenario } from './recommend.js';
import { HOLD_SHARE, toleranceFactor, upperBound } from './seed-spread.js';

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

/**
 * Issue 20 item 1. The 2022 preset (700,000 visitors, every run at full size)
 * with a 60-minute target: the recommendations are searched on the default 20
 * seeds, then checked on 20 seeds they never saw. Searched on one seed, as
 * before, they held on 5/20 (session) and 6/20 (admission) of these seeds.
 */
describe('recommendations on seeds they were not searched on', () => {
  it('the session timeout logs nobody out, and the admission rate sells out within the target, on at least 19 of 20 unseen seeds', async () => {
    const base = preset2022();
    const target = 60;
    // Without the payment capacity (payment-capacity.test.ts checks it): twenty runs of the preset fewer, which are not what this checks.
    const { recommendations: r } = await recommend(base, async (p) => simulate(p), { targetSellOutMinutes: target, probe: async (p, m) => simulateIfSoldOutBy(p, m), paymentSearch: false });

    // Seeds far from the 20 searched (base.seed … base.seed + 19).
    const unseen = Array.from({ length: 20 }, (_, i) => base.seed + 1_000 + i);
    const sessionHeld = unseen.filter((seed) => simulate(sessionScenario({ ...base, seed }, r.session.minutes)).logouts === 0).length;
    const admissionHeld = unseen.filter((seed) => simulateIfSoldOutBy(admissionScenario({ ...base, seed }, r.admission.perMinute), target) !== null).length;
    const needed = Math.ceil(HOLD_SHARE * unseen.length);
    expect(sessionHeld, `session ${r.session.minutes} min held on ${sessionHeld}/20`).toBeGreaterThanOrEqual(needed);
    expect(admissionHeld, `admission ${r.admission.perMinute}/min held on ${admissionHeld}/20`).toBeGreaterThanOrEqual(needed);
    // And they say so: held on all 20 seeds searched.
    expect(r.session.check).toMatchObject({ seeds: 20, held: 20 });
    expect(r.admission.check).toMatchObject({ seeds: 20, held: 20 });
    expect(r.admission.feasible).toBe(true);
  }, 900_000);
});
