import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from '../../../tests/support/backend-harness.js';
import { spec2022 } from '../../../tests/support/specs.js';
import type { Output } from '../../api/contract.js';
import { preset2022, type SimParams } from '../../simulation/params.js';
import { pdfText, TINY_PNG } from '../../../tests/support/pdf-text.js';

let h: Harness;
let admin: string;
let official: { id: string; session: string };
let roundId: string;

beforeEach(async () => {
  h = await Harness.start();
  admin = await h.admin();
  official = await h.user(admin, 'kim', 'official');
  roundId = (await h.call('rounds.create', { spec: spec2022() }, official.session)).id;
});
afterEach(() => h.close());

const small = (patch: Partial<SimParams> = {}): SimParams => ({ ...preset2022(), visitors: 40_000, sale: { windowMinutes: 240, stock: 1_000_000_000, unit: 10_000 }, ...patch });

/** Waits for the job to end, however busy the machine: a job that never ends fails on the test's own timeout. */
async function finished(jobId: string, session: string): Promise<Output<'jobs.get'>> {
  for (;;) {
    const job = await h.call('jobs.get', { id: jobId }, session);
    if (job.state !== 'running') return job;
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('simulation jobs', () => {
  it('runs a simulation as a job, saves it with its parameters and seed, and lists it for the round', async () => {
    const job = await h.call('simulations.start', { roundId, label: '첫 실행', params: small(), recommend: false, targetSellOutMinutes: 60 }, official.session);
    expect(job).toMatchObject({ kind: 'simulation', state: 'running' });
    const done = await finished(job.id, official.session);
    expect(done).toMatchObject({ state: 'done', progress: 1 });
    const runId = String(done.result!.runId);
    const run = await h.call('simulations.get', { id: runId }, official.session);
    expect(run).toMatchObject({ label: '첫 실행', roundId, seed: small().seed, visitors: 40_000, hasRecommendations: false, backing: [] });
    expect(run.params).toEqual(small());
    expect(run.result.buyers).toBe(run.buyers);
    const list = await h.call('simulations.list', { roundId }, official.session);
    expect(list.map((r) => r.id)).toEqual([runId]);
  });

  it('saves recommendations with the runs that back them', async () => {
    const job = await h.call('simulations.start', { roundId, label: '권장', params: small(), recommend: true, targetSellOutMinutes: 60 }, official.session);
    const done = await finished(job.id, official.session);
    expect(done.state).toBe('done');
    const run = await h.call('simulations.get', { id: String(done.result!.runId) }, official.session);
    expect(run.recommendations).not.toBeNull();
    const keys = run.backing.map((b) => b.backingKey).sort();
    expect(keys).toEqual(['admission', 'cutoff-off', 'cutoff-on', 'session']);
    const session = run.backing.find((b) => b.backingKey === 'session')!;
    expect(session.logouts).toBe(0);
    expect(session.sessionTimeoutMinutes).toBe(run.recommendations!.session.minutes);
    // Backing runs are saved but listed under their main run only.
    expect((await h.call('simulations.list', { roundId }, official.session)).length).toBe(1);
    // Five simulations in one job: 20 s alone at load 18, past the project's 30 s beside another file at load 23.
  }, 120_000);

  it('lets only the person who started a job see or cancel it', async () => {
    const job = await h.call('simulations.start', { roundId, label: 'x', params: small(), recommend: false, targetSellOutMinutes: 60 }, official.session);
    expect((await h.fail('jobs.get', { id: job.id }, admin)).code).toBe('not_found');
    expect((await h.fail('jobs.cancel', { id: job.id }, admin)).code).toBe('not_found');
    await finished(job.id, official.session);
  });

  it('cancels a running job, saving nothing', async () => {
    const job = await h.call('simulations.start', { roundId, label: 'cancel me', params: { ...preset2022(), visitors: 300_000 }, recommend: true, targetSellOutMinutes: 60 }, official.session);
    const cancelled = await h.call('jobs.cancel', { id: job.id }, official.session);
    expect(cancelled.state).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 20));
    expect((await h.call('jobs.get', { id: job.id }, official.session)).state).toBe('cancelled');
    expect(await h.call('simulations.list', { roundId }, official.session)).toEqual([]);
  });

  it('refuses bad parameters with a message naming the field, and unknown rounds', async () => {
    const bad = await h.fail('simulations.start', { roundId, label: 'bad', params: { ...small(), visitors: 0 }, recommend: false, targetSellOutMinutes: 60 }, official.session);
    expect(bad.code).toBe('invalid_input');
    expect(bad.issues?.[0]?.path).toBe('params.visitors');
    expect((await h.fail('simulations.start', { roundId: 'nope', label: 'x', params: small(), recommend: false, targetSellOutMinutes: 60 }, official.session)).code).toBe('not_found');
  });

  it('lets analysts read runs but not start them', async () => {
    const analyst = await h.user(admin, 'ana', 'analyst');
    expect((await h.fail('simulations.start', { roundId, label: 'x', params: small(), recommend: false, targetSellOutMinutes: 60 }, analyst.session)).code).toBe('forbidden');
    expect(await h.call('simulations.list', { roundId }, analyst.session)).toEqual([]);
  });

  it('exports a run, or two compared, as a PDF in Korean with the charts', async () => {
    const ids: string[] = [];
    for (const timeout of [10, 60]) {
      const job = await h.call('simulations.start', { roundId, label: `세션 ${timeout}분`, params: small({ session: { timeoutMinutes: timeout, policy: 'expires_while_waiting' } }), recommend: false, targetSellOutMinutes: 60 }, official.session);
      ids.push(String((await finished(job.id, official.session)).result!.runId));
    }
    const one = await h.call('simulations.exportPdf', { ids: [ids[0]!], charts: [{ title: '대기열', png: TINY_PNG }], lang: 'ko' }, official.session);
    // Korean file name, dated by the Seoul day of the harness clock (2026-03-02 09:00 KST).
    expect(one.filename).toBe('시뮬레이션 2026-03-02 세션 10분.pdf');
    const bytes = Buffer.from(one.base64, 'base64');
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const { pages, text } = await pdfText(new Uint8Array(bytes));
    // One chart fits below the tables: no page of its own (a near-empty last page).
    expect(pages).toBe(1);
    for (const phrase of ['수요 시뮬레이션 보고서', '세션 10분', '로그아웃', '구매자', '대기열', '세션 유지 시간']) expect(text).toContain(phrase);

    const both = await h.call('simulations.exportPdf', { ids, charts: [], lang: 'en' }, official.session);
    const compared = await pdfText(new Uint8Array(Buffer.from(both.base64, 'base64')));
    expect(compared.text).toContain('Demand simulation report');
    expect(compared.text).toContain('세션 10분');
    expect(compared.text).toContain('세션 60분');
    expect(compared.text).toContain('Baseline: 세션 10분');
    expect(compared.text.replace(/\s+/g, ' ')).toContain('Difference (세션 60분 − baseline)');
  });

  it('refuses chart images that are not PNGs', async () => {
    const job = await h.call('simulations.start', { roundId, label: 'x', params: small(), recommend: false, targetSellOutMinutes: 60 }, official.session);
    const id = String((await finished(job.id, official.session)).result!.runId);
    expect((await h.fail('simulations.exportPdf', { ids: [id], charts: [{ title: 'x', png: 'data:image/jpeg;base64,AAAA' }], lang: 'ko' }, official.session)).code).toBe('invalid_input');
    const fake = await h.fail('simulations.exportPdf', { ids: [id], charts: [{ title: 'x', png: 'data:image/png;base64,' + Buffer.from('not a png at all').toString('base64') }], lang: 'ko' }, official.session);
    expect(fake).toMatchObject({ code: 'invalid_input', key: 'simulation.chartsMissing' });
    // A PNG signature on bytes that do not decode.
    const corrupt = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR4nGP8z8Dwn4GBgYGJAQoAAAD//wMAHwIB/5u7SUAAAAAASUVORK5CYII=';
    expect(await h.fail('simulations.exportPdf', { ids: [id], charts: [{ title: '대기열', png: corrupt }], lang: 'ko' }, official.session)).toMatchObject({ code: 'invalid_input', key: 'simulation.chartsMissing' });
    // A hang guard, not a speed limit: a simulation and three export attempts take over 30 s on a loaded 2-core machine.
  }, 120_000);
});

describe('the editor\'s simulation check', () => {
  it('simulates the round as given and states what it found, with the warnings the simulation backs', async () => {
    const spec = { ...spec2022(), totalAmount: 1_000_000_000, expectedVisitors: 30_000, waitingRoom: { admissionPerMinute: 100, maxActiveSessions: 2_000 } };
    const check = await h.call('simulations.check', { spec }, official.session);
    expect(check.basis).toMatchObject({ kind: 'quick', scale: 1, visitors: 30_000 });
    expect(check.logouts).toBeGreaterThan(0);
    expect(check.warnings.map((w) => w.code)).toContain('issues.sessionLogoutsSimulated');
    // A session longer than any wait, with the notice on: nothing to warn about.
    const fixed = { ...spec, sessionTimeoutMinutes: 1_440, waitingRoom: { ...spec.waitingRoom, stockCutoff: true } };
    const ok = await h.call('simulations.check', { spec: fixed }, official.session);
    expect(ok.logouts).toBe(0);
    expect(ok.warnings).toEqual([]);
  });

  it('scales a large round down and says so', async () => {
    const check = await h.call('simulations.check', { spec: { ...spec2022(), expectedVisitors: 700_000 } }, official.session);
    expect(check.basis.scale).toBeCloseTo(60_000 / 700_000, 6);
    expect(check.basis.visitors).toBe(60_000);
  });

  it('refuses malformed settings with a message naming the field, and clerks', async () => {
    const bad = { ...spec2022(), waitingRoom: { ...spec2022().waitingRoom, order: 'lottery' } };
    expect(await h.fail('simulations.check', { spec: bad } as never, official.session)).toMatchObject({ code: 'invalid_input' });
    const clerk = await h.user(admin, 'park', 'clerk', '11440');
    expect(await h.fail('simulations.check', { spec: spec2022() }, clerk.session)).toMatchObject({ code: 'forbidden' });
  });
});
