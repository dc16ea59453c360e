import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../../../tests/support/backend-harness.js';
import { pdfText } from '../../../tests/support/pdf-text.js';
import { exceptionDifference } from '../../reconcile/adjustments.js';
import { DEFAULT_PROFILES } from '../../reconcile/profile.js';
import { sampleLedger, seedLedger } from './fixtures.js';
import { generateSettlement, type Manifest } from './generate.js';

const DAY = '2026-03-10';
const toss = DEFAULT_PROFILES.find((p) => p.id === 'toss-csv')!;
let h: Harness;
let admin: string;
let official: string;
let analyst: string;
let clerk: string;
let file: Buffer;
let manifest: Manifest;

beforeAll(async () => {
  h = await Harness.start(() => new Date('2026-03-12T03:00:00Z'));
  admin = await h.admin();
  official = (await h.user(admin, 'kim', 'official')).session;
  analyst = (await h.user(admin, 'ana', 'analyst')).session;
  clerk = (await h.user(admin, 'mapo', 'clerk', '11440')).session;
  const ledger = sampleLedger('toss', ['2026-03-09', DAY, '2026-03-11'], 60);
  seedLedger(h.backend.ledger.sqlite, 'toss', ledger);
  ({ bytes: file, manifest } = generateSettlement(ledger, toss, DAY, { seed: 3, encoding: 'cp949' }));
});
afterAll(() => h.close());

const readOnlyJournal = () =>
  h.backend.ledger.sqlite.prepare('select amount, reason, text, by, at from reconcile_adjustments order by id').all() as { amount: number; reason: string; text: string; by: string; at: string }[];

async function finished(jobId: string, session: string) {
  for (;;) {
    const j = await h.call('jobs.get', { id: jobId }, session);
    if (j.state !== 'running') return j;
    await new Promise((r) => setTimeout(r, 10));
  }
}
const count = (table: 'settlement_imports' | 'settlement_rows' | 'reconcile_exceptions') =>
  (h.backend.ledger.sqlite.prepare(`select count(*) from ${table}`).pluck().get() as number);
const upload = async (bytes: Buffer, session = official) => (await h.call('reconcile.upload', { bytes }, session)).uploadId;
const analyse = async (bytes: Buffer, record: boolean, session = official) =>
  h.call('reconcile.analyse', { profileId: 'toss-csv', fileName: 'toss-0310.csv', uploadId: await upload(bytes, session), record, windowBusinessDays: 1 }, session);

describe('reconcile handlers', () => {
  it('a dry run shows the result and writes nothing', async () => {
    const job = await finished((await analyse(file, false)).id, official);
    expect(job.state).toBe('done');
    expect(job.result).toMatchObject({ importId: null, day: DAY, provider: 'toss', encoding: 'cp949', rows: manifest.rows, matched: manifest.matched });
    const summary = JSON.parse(String(job.result!.summary)) as { counts: Record<string, number> };
    expect(summary.counts).toMatchObject({ only_in_ledger: 2, amount_mismatch: 2, only_in_file: 2, duplicate: 1, cancel_without_original: 1, other_day: 1 });
    expect([count('settlement_imports'), count('settlement_rows'), count('reconcile_exceptions')]).toEqual([0, 0, 0]);
  });

  it('a bad file stops with the line and field named, and writes nothing', async () => {
    const text = (await import('iconv-lite')).default.decode(file, 'cp949').split('\r\n');
    text[3] = text[3]!.replace(/,(\d+),(\d+),(\d+),(\d+),/, ',1만원,$2,$3,$4,');
    const bad = (await import('iconv-lite')).default.encode(text.join('\r\n'), 'cp949');
    const job = await finished((await analyse(bad, true)).id, official);
    expect(job.state).toBe('failed');
    expect(job.error).toMatchObject({ key: 'reconcile.bad.notNumber', params: { line: 4, field: '거래금액' } });
    expect([count('settlement_imports'), count('settlement_rows'), count('reconcile_exceptions')]).toEqual([0, 0, 0]);
  });

  it('records a file once: the same content again is recognised and refused', async () => {
    const job = await finished((await analyse(file, true)).id, official);
    expect(job.state).toBe('done');
    expect(count('settlement_rows')).toBe(manifest.rows);
    expect(count('reconcile_exceptions')).toBe(manifest.injected.filter((i) => i.class !== 'matched').length);
    const again = await h.fail('reconcile.analyse', { profileId: 'toss-csv', fileName: 'renamed.csv', uploadId: await upload(file), record: false, windowBusinessDays: 1 }, official);
    expect(again).toMatchObject({ code: 'conflict', key: 'reconcile.alreadyImported', params: { fileName: 'toss-0310.csv' } });
  });

  it('filters exceptions for the grid; analysts read, clerks and analysts cannot act', async () => {
    const all = await h.call('reconcile.exceptions', { startRow: 0, endRow: 100, day: DAY, provider: 'toss' }, analyst);
    expect(all.lastRow).toBe(9);
    const dup = await h.call('reconcile.exceptions', { startRow: 0, endRow: 100, class: 'duplicate' }, analyst);
    expect(dup.rows.map((r) => r.line)).toEqual(manifest.injected.filter((i) => i.kind === 'duplicate').map((i) => i.line));
    expect((await h.fail('reconcile.exceptions', { startRow: 0, endRow: 100 }, clerk)).code).toBe('forbidden');
    expect((await h.fail('reconcile.resolve', { id: all.rows[0]!.id, reason: 'other' }, analyst)).code).toBe('forbidden');
  });

  it('resolves with a reason; a non-zero adjustment needs text; locks only when all are resolved; reopening is audited', async () => {
    const { rows } = await h.call('reconcile.exceptions', { startRow: 0, endRow: 100, day: DAY, provider: 'toss' }, official);
    const first = rows[0]!;
    expect(await h.fail('reconcile.assign', { id: first.id, assignee: 'ana' }, official)).toMatchObject({ key: 'reconcile.assigneeNotReconciler' });
    await h.call('reconcile.assign', { id: first.id, assignee: 'kim' }, official);
    const assigned = h.backend.ledger.sqlite.prepare("select actor_name, details from audit_log where action = 'reconcile.assign'").all();
    expect(assigned).toHaveLength(1);
    await h.call('reconcile.annotate', { id: first.id, note: '결제대행사에 문의함' }, official);
    expect(await h.fail('reconcile.resolve', { id: first.id, reason: 'provider_error', adjustment: 1_000 }, official)).toMatchObject({ key: 'reconcile.adjustmentNeedsReason' });
    expect((await h.call('reconcile.exceptions', { startRow: 0, endRow: 100, status: 'resolved' }, official)).lastRow).toBe(0);
    const done = await h.call('reconcile.resolve', { id: first.id, reason: 'provider_error', text: '대행사 정정 예정', adjustment: 1_000 }, official);
    expect(done).toMatchObject({ assignee: 'kim', note: '결제대행사에 문의함', resolution: 'provider_error', adjustment: 1_000, resolvedBy: 'kim' });
    expect(await h.fail('reconcile.lockDay', { day: DAY, provider: 'toss' }, official)).toMatchObject({ key: 'reconcile.dayHasOpen', params: { count: 8 } });
    // Resolved once: a second resolution would book the difference twice.
    expect(await h.fail('reconcile.resolve', { id: first.id, reason: 'other', text: 'x', adjustment: 5 }, official)).toMatchObject({ key: 'reconcile.alreadyResolved' });
    for (const r of rows.slice(1)) await h.call('reconcile.resolve', { id: r.id, reason: 'timing' }, official);
    // Every exception resolved, but their differences are not booked: the day does not lock.
    const difference = rows.reduce((s, r) => s + exceptionDifference(r), 0);
    expect(difference).not.toBe(0);
    const before = (await h.call('reconcile.days', {}, analyst)).find((d) => d.day === DAY)!;
    expect(before).toMatchObject({ open: 0, difference, adjusted: 1_000, unexplained: difference - 1_000 });
    expect(await h.fail('reconcile.lockDay', { day: DAY, provider: 'toss' }, official)).toMatchObject({ key: 'reconcile.dayUnexplained' });
    expect(readOnlyJournal()).toHaveLength(1);
    // A booking is corrected by another booking: the rest goes on the first exception, with its own reason.
    expect(await h.fail('reconcile.adjust', { id: first.id, amount: difference - 1_000, reason: 'other', text: ' ' }, official)).toMatchObject({ code: 'invalid_input' });
    expect(await h.fail('reconcile.adjust', { id: first.id, amount: 0, reason: 'other', text: '영' }, official)).toMatchObject({ code: 'invalid_input' });
    expect((await h.fail('reconcile.adjust', { id: first.id, amount: 10, reason: 'other', text: '분석가' }, analyst)).code).toBe('forbidden');
    expect(readOnlyJournal()).toHaveLength(1);
    const corrected = await h.call('reconcile.adjust', { id: first.id, amount: difference - 1_000, reason: 'other', text: '미설명 차액 정리' }, official);
    // The resolution's adjustment stays as booked; the exception's total covers the correction.
    expect(corrected).toMatchObject({ adjustment: 1_000, booked: difference });
    const locked = await h.call('reconcile.lockDay', { day: DAY, provider: 'toss' }, official);
    expect(locked).toMatchObject({ open: 0, lockedBy: 'kim', unexplained: 0, adjusted: difference });
    // A locked day is closed to changes.
    expect(await h.fail('reconcile.annotate', { id: first.id, note: 'late' }, official)).toMatchObject({ key: 'reconcile.dayLocked' });
    expect(await h.fail('reconcile.reopenDay', { day: DAY, provider: 'toss', reason: '' }, official)).toMatchObject({ code: 'invalid_input' });
    const reopened = await h.call('reconcile.reopenDay', { day: DAY, provider: 'toss', reason: '대행사 정정 파일 도착' }, official);
    expect(reopened.lockedBy).toBeNull();
    const log = h.backend.ledger.sqlite.prepare('select action, by, reason from reconcile_day_log order by id').all();
    expect(log).toEqual([
      { action: 'lock', by: 'kim', reason: null },
      { action: 'reopen', by: 'kim', reason: '대행사 정정 파일 도착' },
    ]);
    const audit = h.backend.ledger.sqlite.prepare("select action from audit_log where action like 'reconcile.%' order by seq").pluck().all();
    expect(audit).toContain('reconcile.reopenDay');
    expect(audit).toContain('reconcile.import');
    await h.call('reconcile.lockDay', { day: DAY, provider: 'toss' }, official);
  });

  it('keeps the adjustments journal append-only, with who, when, amount and reason', () => {
    const rows = readOnlyJournal();
    expect(rows.map((r) => [r.amount, r.reason, r.text, r.by])).toEqual([
      [1_000, 'provider_error', '대행사 정정 예정', 'kim'],
      [rows[1]!.amount, 'other', '미설명 차액 정리', 'kim'],
    ]);
    expect(rows[0]!.at).toBe('2026-03-12T03:00:00.000Z');
    expect(() => h.backend.ledger.sqlite.prepare('update reconcile_adjustments set amount = 1').run()).toThrow(/append-only/);
    expect(() => h.backend.ledger.sqlite.prepare('delete from reconcile_adjustments').run()).toThrow(/append-only/);
  });

  it('reports the day as PDF and XLSX that read back', async () => {
    const pdf = await h.call('reconcile.report', { day: DAY, provider: 'toss', format: 'pdf', lang: 'ko' }, analyst);
    const text = (await pdfText(new Uint8Array(Buffer.from(pdf.base64, 'base64')))).text;
    expect(text).toContain('정산 대사');
    expect(text).toContain('원거래 없는 취소');
    expect(text).toContain('toss-0310.csv');
    expect(pdf.filename).toBe(`정산 대사 ${DAY} 토스페이먼츠.pdf`);
    const xlsx = await h.call('reconcile.report', { day: DAY, provider: 'toss', format: 'xlsx', lang: 'ko' }, analyst);
    expect(xlsx.filename).toBe(`정산 대사 ${DAY} 토스페이먼츠.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(xlsx.base64, 'base64') as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('대사')!;
    expect(sheet.rowCount).toBe(10);
    expect(sheet.getRow(1).getCell(1).value).toBe('분류');
    // The adjustments journal and the day's money: difference = adjusted, unexplained 0.
    const adj = wb.getWorksheet('조정 내역')!;
    expect(adj.getRow(2).getCell(4).value).toBe(1_000);
    expect(adj.getRow(2).getCell(6).value).toBe('대행사 정정 예정');
    expect(adj.getRow(3).getCell(6).value).toBe('미설명 차액 정리');
    const last = adj.getRow(adj.rowCount);
    expect([last.getCell(1).value, last.getCell(4).value]).toEqual(['미설명', 0]);
    expect(text).toContain('조정 내역');
    expect(text).toContain('대행사 정정 예정');
    expect(text).toMatch(/미설명 ₩0/);
  });

  it('configures a new provider by its profile, with the profile checked at the boundary', async () => {
    const p = { ...toss, id: 'nice-csv', provider: 'nice', name: '나이스 CSV' };
    expect(await h.call('reconcile.saveProfile', { profile: p }, admin)).toEqual(p);
    expect((await h.call('reconcile.profiles', {}, analyst)).map((x) => x.id)).toContain('nice-csv');
    expect((await h.fail('reconcile.saveProfile', { profile: { ...p, shape: 'json' } }, admin)).code).toBe('invalid_input');
  });
});
