import { describe, expect, it } from 'vitest';
import { spec2022 } from '../../tests/support/specs.js';
import { roundSpecSchema, type RoundSpec } from '../rounds/spec.js';
import { roundPublishedSchema } from '../sync/protocol.js';
import { applyRecommendation } from './apply-recommendation.js';
import { simulate } from './engine.js';
import { preset2022, simParamsFromRound, specWithAssumptions, type SimParams } from './params.js';
import { recommend } from './recommend.js';
import { quickScale, rehearsalWarnings, scaledParams } from './rehearsal-check.js';

/** The 2022 round at a sixth of its size, 6 hours long, so recommendation searches stay quick. */
function smallRound(): RoundSpec {
  const s = spec2022();
  return {
    ...s,
    totalAmount: 4_000_000_000,
    closesAt: new Date(Date.parse(s.opensAt) + 6 * 3600_000).toISOString(),
    waitingRoom: { admissionPerMinute: 250, maxActiveSessions: 4_000 },
    expectedVisitors: 120_000,
  };
}

/** The 2022 day's assumptions (servers, behaviour, arrivals) on the small round. */
function dayAssumptions(spec: RoundSpec): SimParams {
  const p = preset2022();
  return { ...simParamsFromRound(spec), seed: 7, arrival: p.arrival, returns: p.returns, patience: p.patience, checkout: p.checkout, capacity: { maxConnections: 40_000 }, purchase: { ...p.purchase, limit: spec.perPersonMonthlyLimit } };
}

describe('rehearsal assumptions in the round', () => {
  it('a run saved to the round comes back as the same run: re-running from the round repeats it', () => {
    const spec = smallRound();
    const run = dayAssumptions(spec);
    expect(simParamsFromRound(spec)).not.toEqual(run);
    const saved = specWithAssumptions(spec, run);
    expect(roundSpecSchema.parse(saved)).toEqual(saved);
    expect(simParamsFromRound(saved)).toEqual(run);
  });

  it('specs stored and published before the assumptions existed still parse', () => {
    const old = smallRound();
    expect('rehearsal' in old).toBe(false);
    expect(roundSpecSchema.parse(old)).toEqual(old);
    const event = { type: 'round_published', eventId: 'e1', roundId: 'r1', version: 1, spec: old, publishedBy: 'x', at: '2026-03-02T00:00:00.000Z' };
    expect(roundPublishedSchema.parse(event).spec).toEqual(old);
    // Without assumptions, the round runs with the ordinary defaults, FIFO and no notice.
    const p = simParamsFromRound(old);
    expect(p.waitingRoom).toMatchObject({ order: 'fifo', stockCutoff: false, slots: [] });
  });

  it('refuses an unknown queue order or a malformed assumption', () => {
    const s = smallRound();
    expect(roundSpecSchema.safeParse({ ...s, waitingRoom: { ...s.waitingRoom, order: 'lottery' } }).success).toBe(false);
    const saved = specWithAssumptions(s, dayAssumptions(s));
    expect(roundSpecSchema.safeParse({ ...saved, rehearsal: { ...saved.rehearsal!, checkout: { ...saved.rehearsal!.checkout, failureRate: 2 } } }).success).toBe(false);
  });
});

describe('editor warnings from the simulation', () => {
  it('the warning states what the simulation it cites found (logouts scaled back, buyers’ p90 wait)', () => {
    const spec = specWithAssumptions(smallRound(), dayAssumptions(smallRound()));
    const params = simParamsFromRound(spec);
    const scale = quickScale(params);
    expect(scale).toBeLessThan(1);
    const result = simulate(scaledParams(params, scale));
    const warnings = rehearsalWarnings(spec, result, scale);
    const session = warnings.find((w) => w.code === 'issues.sessionLogoutsSimulated');
    expect(result.logouts).toBeGreaterThan(0);
    expect(session!.params).toEqual({ timeout: 10, logouts: Math.round(result.logouts / scale), wait: Math.ceil(result.waitBuyers.p90Minutes) });
    // The scaled run keeps the full-size run's story (within noise): the same order of logouts.
    const full = simulate(params);
    expect(Math.abs(result.logouts / scale - full.logouts) / full.logouts).toBeLessThan(0.25);
  });

  it('applying the recommendations writes their settings into the round, and the simulation then backs it without a session warning', async () => {
    const spec = smallRound();
    const runParams = dayAssumptions(spec);
    // Four seeds and no capacity search keep it quick: what is applied is what matters here, not the search.
    const { recommendations } = await recommend(runParams, async (p) => simulate(p), { targetSellOutMinutes: 40, seeds: 4, paymentSearch: false });
    const session = applyRecommendation(spec, runParams, recommendations, 'session');
    if (!session.ok) throw new Error(session.reason);
    expect(session.changed).toEqual(['sessionTimeoutMinutes', 'rehearsal']);
    expect(session.spec.sessionTimeoutMinutes).toBe(recommendations.session.minutes);
    // The round now is exactly the run that confirmed the recommendation: same seed, same settings.
    const after = simulate(simParamsFromRound(session.spec));
    expect(after.logouts).toBe(0);
    expect(rehearsalWarnings(session.spec, after, 1).filter((w) => w.path === 'sessionTimeoutMinutes')).toEqual([]);

    // Further recommendations of the same run add up; none undoes another.
    const cutoff = applyRecommendation(session.spec, runParams, recommendations, 'cutoff');
    if (!cutoff.ok) throw new Error(cutoff.reason);
    expect(cutoff.changed).toEqual(['waitingRoom']);
    expect(cutoff.spec.waitingRoom.stockCutoff).toBe(true);
    expect(cutoff.spec.sessionTimeoutMinutes).toBe(recommendations.session.minutes);

    const admission = applyRecommendation(cutoff.spec, runParams, recommendations, 'admission');
    if (!admission.ok) throw new Error(admission.reason);
    expect(admission.changed).toEqual(['waitingRoom']);
    expect(admission.spec.waitingRoom).toMatchObject({ admissionPerMinute: recommendations.admission.perMinute, stockCutoff: true });
    expect(admission.spec.waitingRoom.maxActiveSessions).toBeGreaterThanOrEqual(Math.ceil(recommendations.admission.peakActive));
    expect(admission.spec.sessionTimeoutMinutes).toBe(recommendations.session.minutes);
    // All three applied: the simulation of the round warns of nothing.
    expect(rehearsalWarnings(admission.spec, simulate(simParamsFromRound(admission.spec)), 1)).toEqual([]);
  });

  it('refuses to apply advice from a run of another sale, saying why', async () => {
    const spec = smallRound();
    const runParams = { ...dayAssumptions(spec), sale: { ...dayAssumptions(spec).sale, stock: 5_000_000_000 } };
    const recs = (await recommend(dayAssumptions(spec), async (p) => simulate(p), { targetSellOutMinutes: 60, seeds: 4, paymentSearch: false })).recommendations;
    expect(applyRecommendation(spec, runParams, recs, 'session')).toEqual({ ok: false, reason: 'stock' });
  });
});
