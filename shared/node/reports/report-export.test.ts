import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Input } from '../../api/contract.js';
import { reportParamsSchema } from '../../reports/params.js';
import { Harness } from '../../../tests/support/backend-harness.js';
import { pdfText, TINY_PNG } from '../../../tests/support/pdf-text.js';
import { Feeder, ledgerEvents, reportSpec } from '../../../tests/support/report-ledger.js';
import { csvLineSql, exportEventsXlsx } from './report-export.js';
import { reportTable } from '../../reports/report-table.js';
import { WON_FORMAT } from './xlsx-stream.js';

let h: Harness;
let admin: string;
let analyst: string;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.admin();
  analyst = (await h.user(admin, 'analyst', 'analyst')).session;
  new Feeder(h.backend.ledger.sqlite).feed(ledgerEvents({ roundId: 'r1', spec: reportSpec('2026 봄 서울사랑상품권'), purchases: 1_200, start: '2026-03-09T20:00:00.000Z', days: 2, seed: 11 }));
});
afterAll(() => h.close());

async function exportFile(input: Input<'reports.export'>, session = analyst): Promise<{ bytes: Buffer; filename: string; mime: string }> {
  const job = await h.call('reports.export', input, session);
  let view = job;
  for (let i = 0; i < 500 && view.state === 'running'; i++) {
    await new Promise((r) => setTimeout(r, 10));
    view = await h.call('jobs.get', { id: job.id }, session);
  }
  expect(view.state, JSON.stringify(view.error)).toBe('done');
  const parts: Buffer[] = [];
  let offset: number | null = 0;
  let meta = { filename: '', mime: '' };
  while (offset !== null) {
    const chunk: Awaited<ReturnType<typeof h.call<'reports.download'>>> = await h.call('reports.download', { jobId: job.id, offset }, session);
    parts.push(Buffer.from(chunk.base64, 'base64'));
    meta = { filename: chunk.filename, mime: chunk.mime };
    offset = chunk.nextOffset;
  }
  return { bytes: Buffer.concat(parts), ...meta };
}

async function ledgerSums(where = '1=1') {
  const r = await sql.raw<{ n: number; amount: number }>(`select count(*) as n, sum(amount) as amount from ledger_events where ${where}`).execute(h.backend.deps.db);
  return r.rows[0]!;
}

describe('exports', () => {
  it('CSV of every event: UTF-8 with a BOM, one row per event, amounts summing to the ledger', async () => {
    const file = await exportFile({ params: {}, format: 'csv', content: 'events', lang: 'ko', title: '전체 거래' });
    expect(file.filename).toMatch(/^전체 거래 \d{4}-\d{2}-\d{2}\.csv$/);
    expect([...file.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(file.bytes.toString('utf8').slice(1)) as string[][];
    expect(rows[0]).toEqual(['기록 번호', '일시(서울)', '종류', '회차', '회차명', '구매 건', '자치구', '결제 수단', '금액(원)']);
    const body = rows.slice(1);
    const sums = await ledgerSums();
    expect(body.length).toBe(sums.n);
    expect(body.reduce((s, r) => s + Number(r[8]), 0)).toBe(sums.amount);
    expect(body[0]![2]).toBe('구매');
    // The round by its name beside its id, on every line.
    expect(new Set(body.map((r) => `${r[3]} ${r[4]}`))).toEqual(new Set(['r1 2026 봄 서울사랑상품권']));
    expect(body[0]![1]).toMatch(/^2026-03-10 05:00:0\d$/);
  });

  it('XLSX of one district: won as numbers with a ₩ format, dates as dates, header frozen, totals equal the ledger', async () => {
    const file = await exportFile({ params: { districts: ['11680'], eventTypes: ['purchase', 'use'] }, format: 'xlsx', content: 'events', lang: 'ko', title: '강남구' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.bytes as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getRow(1).getCell(5).value).toBe('회차명');
    expect(sheet.getRow(1).getCell(9).value).toBe('금액(원)');
    let n = 0;
    let total = 0;
    sheet.eachRow((row, i) => {
      if (i === 1) return;
      n++;
      const amount = row.getCell(9);
      expect(typeof amount.value).toBe('number');
      total += amount.value as number;
      if (i === 2) {
        expect(amount.numFmt).toContain('₩');
        expect(row.getCell(2).value).toBeInstanceOf(Date);
        expect(row.getCell(7).value).toBe('강남구');
        expect(row.getCell(5).value).toBe('2026 봄 서울사랑상품권');
      }
    });
    const sums = await ledgerSums("district_code = '11680' and type in ('purchase', 'use')");
    expect(n).toBe(sums.n);
    expect(total).toBe(sums.amount);
  });

  it('splits sheets at the row limit', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'xlsx-split-')), 'split.xlsx');
    const params = reportParamsSchema.parse({ eventTypes: ['purchase'] });
    const out = await exportEventsXlsx(h.backend.deps, params, [], { path, lang: 'en', job: { signal: new AbortController().signal, progress: () => {} }, maxRowsPerSheet: 501 });
    expect(out).toEqual({ rows: 1_200, sheets: 3 });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(path) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.rowCount)).toEqual([501, 501, 201]);
    expect(wb.worksheets[2]!.getRow(1).getCell(1).value).toBe('Seq');
  });

  it('the report table as CSV and XLSX, with its totals row', async () => {
    const params = { groupBy: ['district' as const], measures: ['faceSold' as const, 'lots' as const] };
    const report = await h.call('reports.run', { params }, analyst);
    const csv = parse((await exportFile({ params, format: 'csv', content: 'summary', lang: 'ko', title: '자치구별' })).bytes.toString('utf8').slice(1)) as string[][];
    expect(csv[0]).toEqual(['자치구', '판매 액면', '구매 건수', '비중(%)', '주민 1인당']);
    // The totals row: the whole is 100% of itself; per resident has no single population to divide by.
    expect(csv.at(-1)).toEqual(['합계', String(report.totals.faceSold), String(report.totals.lots), '100', '']);
    expect(csv.slice(1, -1).reduce((s, r) => s + Number(r[1]), 0)).toBe(report.totals.faceSold);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await exportFile({ params, format: 'xlsx', content: 'summary', lang: 'ko', title: '자치구별' })).bytes as unknown as ArrayBuffer);
    const last = wb.worksheets[0]!.getRow(wb.worksheets[0]!.rowCount);
    expect(last.getCell(1).value).toBe('합계');
    expect(last.getCell(2).value).toBe(report.totals.faceSold);
  });

  it('PDF of a district report: Korean text, the totals in 만/억, the chart, one page for 25 districts', async () => {
    const params = { groupBy: ['district' as const], measures: ['faceSold' as const, 'paid' as const, 'lots' as const] };
    const report = await h.call('reports.run', { params }, analyst);
    const file = await exportFile({ params, format: 'pdf', content: 'summary', lang: 'ko', title: '자치구별 판매', filters: ['기간: 전체'], chart: TINY_PNG });
    expect(file.mime).toBe('application/pdf');
    const { pages, text } = await pdfText(new Uint8Array(file.bytes));
    expect(pages).toBe(1);
    for (const s of ['자치구별 판매', '기간: 전체', '강남구', '종로구', '합계', '판매 액면']) expect(text).toContain(s);
    const korean = (await import('../../common/money.js')).formatWonKorean(report.totals.faceSold!);
    expect(text.replace(/\s+/g, ' ')).toContain(korean.replace(/\s+/g, ' '));
  });

  it('summary CSV and XLSX hold the screen table: its columns (비중 included), its rows, rates as percentages', async () => {
    const params = { groupBy: ['district' as const], measures: ['faceSold' as const, 'lots' as const, 'usedAmount' as const, 'useRate' as const] };
    const result = await h.call('reports.run', { params }, analyst);
    const screen = reportTable(result, 'ko');
    // Written down from the page, not from the code: the grid's headers in order.
    expect(screen.columns.map((c) => c.header)).toEqual(['자치구', '판매 액면', '구매 건수', '사용액', '사용률', '비중', '주민 1인당']);
    const lines = [...screen.rows, screen.total!];
    const csv = await exportFile({ params, format: 'csv', content: 'summary', lang: 'ko', title: '자치구별 판매' });
    const xlsx = await exportFile({ params, format: 'xlsx', content: 'summary', lang: 'ko', title: '자치구별 판매' });

    const rows = parse(csv.bytes.toString('utf8').slice(1)) as string[][];
    expect(rows[0]).toEqual(['자치구', '판매 액면', '구매 건수', '사용액', '사용률(%)', '비중(%)', '주민 1인당']);
    expect(rows.length - 1).toBe(lines.length);
    lines.forEach((line, r) =>
      line.cells.forEach((v, i) => {
        const kind = screen.columns[i]!.kind;
        const got = rows[r + 1]![i]!;
        if (v === null) expect(got).toBe('');
        else if (kind === 'text') expect(got).toBe(v);
        // 0.4567 on screen reads 45.7%; the CSV carries 45.7 under a (%) header.
        else if (kind === 'rate') expect(Number(got)).toBeCloseTo(Number(v) * 100, 1);
        else expect(Number(got)).toBe(v);
      }),
    );
    // The shares of the districts add up to the whole.
    const shareCol = screen.columns.findIndex((c) => c.id === 'share');
    expect(rows.slice(1, -1).reduce((s, r) => s + Number(r[shareCol]), 0)).toBeCloseTo(100, 0);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(screen.columns.map((c) => c.header));
    const formats = { money: WON_FORMAT, count: '#,##0', rate: '0.0%' } as const;
    lines.forEach((line, r) =>
      line.cells.forEach((v, i) => {
        const cell = sheet.getRow(r + 2).getCell(i + 1);
        const kind = screen.columns[i]!.kind;
        expect(cell.value ?? null).toEqual(v === '' ? null : v);
        if (kind !== 'text') expect(cell.numFmt, `${screen.columns[i]!.header} format`).toBe(formats[kind]);
      }),
    );
  });

  it('names a file by the Seoul day: 00:30 in Seoul on 2 March is still 1 March in UTC', async () => {
    const late = await Harness.start(() => new Date('2026-03-01T15:30:00.000Z'));
    try {
      const boss = await late.admin();
      const who = (await late.user(boss, 'analyst', 'analyst')).session;
      const job = await late.call('reports.export', { params: {}, format: 'csv', content: 'summary', lang: 'ko', title: '판매' }, who);
      let view = job;
      for (let i = 0; i < 500 && view.state === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 10));
        view = await late.call('jobs.get', { id: job.id }, who);
      }
      expect(view.result?.filename).toBe('판매 2026-03-02.csv');
    } finally {
      late.close();
    }
  });

  it('cancels an export: the job says so and leaves no file to download', async () => {
    const job = await h.call('reports.export', { params: {}, format: 'xlsx', content: 'events', lang: 'ko', title: '취소' }, analyst);
    const cancelled = await h.call('jobs.cancel', { id: job.id }, analyst);
    expect(cancelled.state).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 300));
    expect((await h.call('jobs.get', { id: job.id }, analyst)).state).toBe('cancelled');
    expect((await h.fail('reports.download', { jobId: job.id }, analyst)).key).toBe('reports.exportNotFound');
  });

  it('refuses a PDF of every event and a chart that is not a PNG, writing nothing', async () => {
    expect((await h.fail('reports.export', { params: {}, format: 'pdf', content: 'events', lang: 'ko', title: 'x' }, analyst)).code).toBe('invalid_input');
    const bad = await h.fail('reports.export', { params: {}, format: 'pdf', content: 'summary', lang: 'ko', title: 'x', chart: 'data:image/png;base64,' + Buffer.from('not a png').toString('base64') }, analyst);
    expect(bad.key).toBe('reports.chartNotPng');
    expect((await h.fail('reports.download', { jobId: 'nope' }, analyst)).key).toBe('reports.exportNotFound');
  });

  it("keeps an export to its author and a clerk's export to their district", async () => {
    const clerk = await h.user(admin, 'gangnam', 'clerk', '11680');
    const job = await h.call('reports.export', { params: { districts: ['11110'] }, format: 'csv', content: 'events', lang: 'en', title: 'mine' }, clerk.session);
    await expect.poll(async () => (await h.call('jobs.get', { id: job.id }, clerk.session)).state).toBe('done');
    expect((await h.fail('reports.download', { jobId: job.id }, analyst)).code).toBe('not_found');
    const chunk = await h.call('reports.download', { jobId: job.id }, clerk.session);
    const rows = (parse(Buffer.from(chunk.base64, 'base64').toString('utf8').slice(1)) as string[][]).slice(1);
    expect(rows.length).toBe((await ledgerSums("district_code = '11680'")).n);
    expect(new Set(rows.map((r) => r[6]))).toEqual(new Set(['Gangnam-gu']));
  });

  it('CSV quotes commas, quotes and line breaks, keeps Korean, and reads back cell for cell', async () => {
    const odd = '회차,"봄"\n2차 & <특별>';
    const feeder = new Feeder(h.backend.ledger.sqlite);
    feeder.feed(ledgerEvents({ roundId: odd, spec: reportSpec('따옴표 회차'), purchases: 30, start: '2026-03-12T01:00:00.000Z', days: 1, seed: 5 }));
    const file = await exportFile({ params: { roundIds: [odd] }, format: 'csv', content: 'events', lang: 'ko', title: '특수 문자' });
    const rows = (parse(file.bytes.toString('utf8').slice(1)) as string[][]).slice(1);
    const want = (await sql<{ seq: number; lot_id: string; amount: number }>`select seq, lot_id, amount from ledger_events where round_id = ${odd} order by seq`.execute(h.backend.deps.db)).rows;
    expect(rows.length).toBe(want.length);
    rows.forEach((r, i) => {
      expect(r).toHaveLength(9);
      expect(r[0]).toBe(String(want[i]!.seq));
      expect(r[3]).toBe(odd);
      expect(r[4]).toBe('따옴표 회차');
      expect(r[5]).toBe(want[i]!.lot_id);
      expect(r[8]).toBe(String(want[i]!.amount));
    });
    expect(rows[0]![2]).toBe('구매');
    // The same events as XLSX: the text survives XML, times are the Seoul wall clock to the second.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await exportFile({ params: { roundIds: [odd] }, format: 'xlsx', content: 'events', lang: 'ko', title: '특수 문자' })).bytes as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect(sheet.rowCount).toBe(want.length + 1);
    const first = (await sql<{ occurred_at: string }>`select occurred_at from ledger_events where seq = ${want[0]!.seq}`.execute(h.backend.deps.db)).rows[0]!;
    const cellTime = sheet.getRow(2).getCell(2).value as Date;
    expect(Math.abs(cellTime.getTime() - (Date.parse(first.occurred_at) + 9 * 3_600_000))).toBeLessThan(1);
    expect(sheet.getRow(2).getCell(4).value).toBe(odd);
    expect(sheet.getRow(2).getCell(6).value).toBe(want[0]!.lot_id);
    expect(sheet.getRow(2).getCell(3).value).toBe('구매');
    // The line SQLite builds: every field that needs it quoted, the rest bare; Seoul time.
    const line = csvLineSql('ko', new Map([['a,b', '봄, "특별" 회차']]));
    const row = { seq: 7, occurred_at: '2026-03-10T14:59:59.000Z', type: 'use', round_id: 'a,b', lot_id: 'x"y\n2', district_code: '11680', payment_method: 'debit_card', amount: 12_000 };
    const text = h.backend.ledger.sqlite
      .prepare(`select ${line.sql} from (select cast(? as integer) as seq, ? as occurred_at, ? as type, ? as round_id, ? as lot_id, ? as district_code, ? as payment_method, cast(? as integer) as amount)`)
      .pluck()
      .get(...line.params, ...Object.values(row));
    expect(text).toBe('7,2026-03-10 23:59:59,사용,"a,b","봄, ""특별"" 회차","x""y\n2",강남구,체크카드,12000\r\n');
  });
});

describe('saved reports', () => {
  it('saves name, parameters and who saved it; reruns; only the author or an admin deletes', async () => {
    const params = { groupBy: ['day' as const], measures: ['faceSold' as const], districts: ['11680'] };
    const saved = await h.call('reports.save', { name: '강남 일별', params }, analyst);
    expect(saved).toMatchObject({ name: '강남 일별', createdByName: 'analyst', params: { groupBy: ['day'], districts: ['11680'] } });
    expect((await h.fail('reports.save', { name: '강남 일별', params }, admin)).key).toBe('reports.nameTaken');
    const list = await h.call('reports.saved', {}, admin);
    const again = await h.call('reports.run', { params: list.find((s) => s.id === saved.id)!.params }, admin);
    expect(again).toEqual(await h.call('reports.run', { params }, analyst));
    const other = (await h.user(admin, 'analyst2', 'analyst')).session;
    expect((await h.fail('reports.deleteSaved', { id: saved.id }, other)).key).toBe('reports.notYours');
    expect((await h.fail('reports.save', { name: 'x', params: { toDay: '2026-01-01', fromDay: '2026-02-01' } }, analyst)).key).toBe('reports.periodReversed');
    await h.call('reports.deleteSaved', { id: saved.id }, analyst);
    expect(await h.call('reports.saved', {}, admin)).toEqual([]);
  });
});
