import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatError } from '../../shared/i18n/index.js';
import { NO_FACTS } from '../../shared/simulation/calibrate/schema.js';
import { Harness } from '../support/backend-harness.js';
import { calibrationSpec } from '../support/calibration-sale.js';
import { ServerHarness } from '../support/server-harness.js';

/**
 * A sale fed on the central server, pulled into a console by sync, and
 * calibrated there through the contract: the ledger the fit reads is the one
 * the server recorded.
 */
let server: ServerHarness;
let h: Harness;
let admin: string;
const roundId = 'calibration-fed';
const spec = calibrationSpec('서버 보정 회차');
/** The feed stamps purchases between the opening and the server's now: 40 minutes of sale. */
const saleMinutes = 40;

async function finish(jobId: string, session: string) {
  for (let i = 0; i < 6_000; i++) {
    const j = await h.call('jobs.get', { id: jobId }, session);
    if (j.state !== 'running') return j;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('calibration did not finish');
}

beforeAll(async () => {
  server = await ServerHarness.start();
  const root = await server.user('root', 'admin');
  const kim = await server.user('kim', 'official');
  const lee = await server.user('lee', 'official');
  await server.openRound(roundId, spec, kim, lee, new Date(Date.parse(spec.opensAt) + saleMinutes * 60_000));
  const fed = await server.post('/api/feed/sale', { roundId, purchases: 3_000, seed: 11, usesShare: 0, fullLimitShare: 1 }, root);
  expect(fed.status).toBe(200);
  // The console on the server's clock, its administrator with the same account on the server.
  h = await Harness.start(() => server.now());
  admin = await h.admin();
  await server.user('admin', 'admin', null, 'admin-password-1');
  await h.call('sync.connect', { serverUrl: server.url, username: 'admin', password: 'admin-password-1' }, admin);
  expect(await h.sync(admin)).toMatchObject({ state: 'done' });
});
afterAll(async () => {
  await h?.close();
  await server?.close();
});

describe('calibrating a sale fed on the server', () => {
  it("fits the console's copy of the server's ledger: the same total, the same steady pace, and the same stop", async () => {
    const totals = (await server.request('GET', `/api/rounds/${roundId}/totals`, undefined, await server.user('reader', 'admin'))).body as { purchases: number; faceSold: number };
    // It did not sell out (₩1.2B of ₩2B), so no sell-out fact: the ledger alone.
    const job = await h.call('calibrations.start', { roundId, facts: NO_FACTS }, admin);
    const end = await finish(job.id, admin);
    expect(end.state).toBe('done');
    const c = await h.call('calibrations.get', { id: String(end.result!.calibrationId) }, admin);
    expect(c.result.observedCurve.reduce((s, v) => s + v, 0)).toBe(totals.faceSold);
    const row = (m: string) => c.result.rows.find((r) => r.measure === m)!;
    expect(row('buyers').observed).toBe(totals.purchases);
    expect(Math.abs(row('cumulative').error!)).toBeLessThan(0.1);
    // 3,000 purchases over 40 minutes, about 75 a minute: the fitted sale keeps that pace (within 10%) and stops with it.
    // (Admission and payment failures trade off against each other on a curve alone; their product is what the ledger fixes.)
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    const perMinute = (face: number[]) => mean(face.slice(5, 35)) / 400_000;
    expect(Math.abs(perMinute(c.result.simulatedCurve) / perMinute(c.result.observedCurve) - 1)).toBeLessThan(0.1);
    expect(Math.abs(row('buyers').error!)).toBeLessThan(0.1);
    expect(mean(c.result.simulatedCurve.slice(saleMinutes + 2, saleMinutes + 10))).toBeLessThan(mean(c.result.observedCurve.slice(5, 35)) / 10);
    const preset = await h.call('calibrations.savePreset', { calibrationId: c.id, presetName: '회차 서버 보정 회차 보정' }, admin);
    expect(preset.params).toEqual(c.result.params);
  });

  it('refuses, in Korean, a hand-made request with a fact out of bounds, and one for a round the console does not have', async () => {
    const bad = await h.raw('calibrations.start', { roundId, facts: { ...NO_FACTS, sellOutMinutes: 0 } }, admin);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(formatError('ko', bad.error)).toContain('재고 소진까지 걸린 시간');
    const missing = await h.raw('calibrations.start', { roundId: 'no-such-round', facts: NO_FACTS }, admin);
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(formatError('ko', missing.error)).toBe('회차를 찾을 수 없습니다');
  });
});
