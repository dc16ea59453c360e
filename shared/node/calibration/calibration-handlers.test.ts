import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../../../tests/support/backend-harness.js';
import { Feeder } from '../../../tests/support/report-ledger.js';
import { spec2022 } from '../../../tests/support/specs.js';
import { basisPointsOf } from '../../common/money.js';
import { formatError } from '../../i18n/index.js';
import type { PurchaseEvent } from '../../ledger/events.js';
import type { RoundSpec } from '../../rounds/spec.js';
import type { SyncEvent } from '../../sync/protocol.js';
import { NO_FACTS } from '../../simulation/calibrate/schema.js';

let h: Harness;
let admin: string;
let official: string;
let analyst: string;
const roundId = 'sold-round';
const emptyRoundId = 'unsold-round';
/** ₩1B at ₩400,000 a person: 2,500 buyers empty it. */
const spec: RoundSpec = spec2022({ name: '보정 회차', totalAmount: 1_000_000_000, expectedVisitors: 6_000 });

/** A sale as a ledger holds it: 2,500 full-limit purchases at a steady 60 a minute from the opening. */
function* sale(): Generator<SyncEvent> {
  yield { type: 'round_published', eventId: `pub-${roundId}`, roundId, version: 1, spec, publishedBy: 'kim', at: spec.opensAt };
  yield { type: 'round_published', eventId: `pub-${emptyRoundId}`, roundId: emptyRoundId, version: 1, spec: { ...spec, name: '판매 없는 회차' }, publishedBy: 'kim', at: spec.opensAt };
  const t0 = Date.parse(spec.opensAt);
  for (let i = 0; i < 2_500; i++) {
    const face = 400_000;
    const p: PurchaseEvent = {
      type: 'purchase',
      eventId: `p${i}`,
      roundId,
      lotId: `l${i}`,
      at: new Date(t0 + Math.floor((i / 60) * 60_000) + 500).toISOString(),
      buyerId: `b${i}`,
      districtCode: '11440',
      face,
      paid: face - basisPointsOf(face, spec.discountBp),
      paymentMethod: 'bank_transfer',
    };
    yield p;
  }
}

async function finish(jobId: string, session: string) {
  for (let i = 0; i < 6_000; i++) {
    const j = await h.call('jobs.get', { id: jobId }, session);
    if (j.state !== 'running') return j;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('calibration did not finish');
}

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.admin();
  official = (await h.user(admin, 'kim', 'official')).session;
  analyst = (await h.user(admin, 'ana', 'analyst')).session;
  new Feeder(h.backend.ledger.sqlite).feed(sale());
});
afterAll(() => h.close());

describe('calibration through the contract', () => {
  it("fits a sold round's ledger in a job, keeps the result, and saves it as a preset the simulator lists", async () => {
    const job = await h.call('calibrations.start', { roundId, facts: { ...NO_FACTS, sellOutMinutes: 42 } }, official);
    expect(job.kind).toBe('calibration');
    const end = await finish(job.id, official);
    expect(end.state).toBe('done');
    const c = await h.call('calibrations.get', { id: String(end.result!.calibrationId) }, analyst);
    expect(c.roundName).toBe('보정 회차');
    // The ledger's curve: ₩24M a minute for 41 minutes and a bit.
    expect(c.result.observedCurve.reduce((s, v) => s + v, 0)).toBe(1_000_000_000);
    expect(c.result.observedCurve[0]).toBe(24_000_000);
    // Buyers come from the ledger when not entered; the fit sells the stock in about the observed time.
    const row = (m: string) => c.result.rows.find((r) => r.measure === m)!;
    expect(row('buyers').observed).toBe(2_500);
    expect(Math.abs(row('cumulative').error!)).toBeLessThan(0.1);
    expect(Math.abs(row('sellOutMinutes').error!)).toBeLessThan(0.15);
    expect(c.result.objective).toBeLessThan(c.result.startObjective);
    expect(await h.call('calibrations.latest', { roundId }, analyst)).toMatchObject({ id: c.id });
    // Every free parameter carries a verdict, and the stored result shows what it kept; an analyst can take it on paper.
    expect(c.result.identified!.map((d) => d.key)).toEqual(c.result.free);
    const pdf = await h.call('calibrations.exportPdf', { id: c.id, lang: 'ko' }, analyst);
    expect(pdf.filename).toMatch(/^보정 \d{4}-\d{2}-\d{2} 보정 회차\.pdf$/);
    expect(Buffer.from(pdf.base64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');

    const preset = await h.call('calibrations.savePreset', { calibrationId: c.id, presetName: '회차 보정 회차 보정' }, official);
    expect(preset.params).toEqual(c.result.params);
    expect(preset.sourceRoundId).toBe(roundId);
    // Saving again under the same name replaces it rather than failing.
    await h.call('calibrations.savePreset', { calibrationId: c.id, presetName: '회차 보정 회차 보정' }, admin);
    const presets = await h.call('calibrations.presets', {}, analyst);
    expect(presets.map((p) => p.name)).toEqual(['회차 보정 회차 보정']);
  });

  it('refuses bad input with a Korean message naming what is wrong, and writes nothing', async () => {
    const before = await h.backend.ledger.db.selectFrom('calibrations').select('id').execute();
    const negative = await h.fail('calibrations.start', { roundId, facts: { ...NO_FACTS, peakQueue: -5 } }, official);
    expect(negative.code).toBe('invalid_input');
    expect(formatError('ko', negative)).toContain('최대 대기 인원');
    const orphan = await h.fail('calibrations.start', { roundId, facts: { ...NO_FACTS, displayedAtMinute: 4 } }, official);
    expect(formatError('ko', orphan)).toBe('표시 시각을 입력했다면 그때 표시된 대기시간도 입력하세요');
    const inverted = await h.fail('calibrations.start', { roundId, facts: { ...NO_FACTS, peakQueue: 300_000, peakConnections: 200_000 } }, official);
    expect(formatError('ko', inverted)).toBe('최대 대기 인원이 최대 동시 접속자보다 많을 수 없습니다');
    const unsold = await h.fail('calibrations.start', { roundId: emptyRoundId, facts: NO_FACTS }, official);
    expect(formatError('ko', unsold)).toBe('원장에 이 회차의 판매 기록이 없어 보정할 수 없습니다');
    const unnamed = await h.fail('calibrations.savePreset', { calibrationId: before[0]?.id ?? 'x', presetName: '   ' }, official);
    expect(formatError('ko', unnamed)).toContain('프리셋');
    expect(await h.backend.ledger.db.selectFrom('calibrations').select('id').execute()).toEqual(before);
  });

  it('lets an analyst read calibrations but not start one or save a preset', async () => {
    expect((await h.fail('calibrations.start', { roundId, facts: NO_FACTS }, analyst)).code).toBe('forbidden');
    expect((await h.fail('calibrations.savePreset', { calibrationId: 'x', presetName: 'x' }, analyst)).code).toBe('forbidden');
  });

  it('can be cancelled while it runs', async () => {
    const job = await h.call('calibrations.start', { roundId, facts: NO_FACTS }, official);
    await h.call('jobs.cancel', { id: job.id }, official);
    const end = await finish(job.id, official);
    expect(end.state).toBe('cancelled');
  });
});
