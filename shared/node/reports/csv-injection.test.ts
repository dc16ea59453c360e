import { parse } from 'csv-parse/sync';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Input } from '../../api/contract.js';
import { Harness } from '../../../tests/support/backend-harness.js';
import { Feeder, ledgerEvents, reportSpec } from '../../../tests/support/report-ledger.js';
import { csvCell, csvCellSql } from './csv-cell.js';

/** Issue 17, finding 4: an official's round name that a spreadsheet would run. */
const EVIL = '=HYPERLINK("http://127.0.0.1:9/x","open")';

/** Hand-written: what a spreadsheet must read as text (OWASP: a leading `'`), quoted by RFC 4180 where needed. */
const TABLE: [string | number, string][] = [
  [EVIL, `"'=HYPERLINK(""http://127.0.0.1:9/x"",""open"")"`],
  ['+82-10-1234', "'+82-10-1234"],
  ['-2+3', "'-2+3"],
  ['@SUM(A1)', "'@SUM(A1)"],
  ['\tcmd', "'\tcmd"],
  ['\r=1', `"'\r=1"`],
  ['=1,2', `"'=1,2"`],
  ['a=b', 'a=b'],
  ['강남구', '강남구'],
  ['', ''],
  ['a,b', '"a,b"'],
  [-35_000, '-35000'],
  [12_000, '12000'],
];

describe('one CSV cell rule', () => {
  it('neutralises text that starts a formula, and leaves numbers as numbers', () => {
    for (const [value, want] of TABLE) expect(csvCell(value), JSON.stringify(value)).toBe(want);
  });

  it('the SQL form writes exactly the same cells', () => {
    const db = new Database(':memory:');
    const stmt = db.prepare(`select ${csvCellSql('v')} from (select ? as v)`).pluck();
    for (const [value, want] of TABLE.filter(([v]) => typeof v === 'string')) expect(stmt.get(value), JSON.stringify(value)).toBe(want);
    db.close();
  });
});

let h: Harness;
let analyst: string;
beforeAll(async () => {
  h = await Harness.start();
  const admin = await h.admin();
  analyst = (await h.user(admin, 'analyst', 'analyst')).session;
  new Feeder(h.backend.ledger.sqlite).feed(ledgerEvents({ roundId: EVIL, spec: reportSpec(EVIL), purchases: 60, start: '2026-03-09T20:00:00.000Z', days: 1, seed: 3 }));
});
afterAll(() => h.close());

async function csvRows(input: Input<'reports.export'>): Promise<string[][]> {
  const job = await h.call('reports.export', input, analyst);
  let view = job;
  for (let i = 0; i < 500 && view.state === 'running'; i++) {
    await new Promise((r) => setTimeout(r, 10));
    view = await h.call('jobs.get', { id: job.id }, analyst);
  }
  expect(view.state, JSON.stringify(view.error)).toBe('done');
  const chunk = await h.call('reports.download', { jobId: job.id }, analyst);
  expect(chunk.nextOffset).toBeNull();
  return parse(Buffer.from(chunk.base64, 'base64').toString('utf8').slice(1)) as string[][];
}

describe('every CSV export neutralises a formula in a round', () => {
  it('the events export', async () => {
    const rows = (await csvRows({ params: { roundIds: [EVIL] }, format: 'csv', content: 'events', lang: 'ko', title: '수식' })).slice(1);
    expect(rows.length).toBeGreaterThan(60);
    for (const r of rows) {
      expect(r[3]).toBe(`'${EVIL}`);
      // The round's name (here the same formula) beside its id, neutralised alike.
      expect(r[4]).toBe(`'${EVIL}`);
      for (const cell of r) expect(cell).not.toMatch(/^[=+@\t\r]/);
      // The amount stays a bare number, refunds and uses negative where they are.
      expect(r[8]).toMatch(/^-?\d+$/);
    }
  });

  it('the report table export of that round: labels as text, figures as bare numbers', async () => {
    // The table's text cells are group labels (districts here), never the round's own text; its figures must stay numbers.
    const rows = await csvRows({ params: { groupBy: ['district'], measures: ['faceSold', 'lots'], roundIds: [EVIL] }, format: 'csv', content: 'summary', lang: 'ko', title: '수식 회차' });
    // By district the page also shows each district's share and the figure per resident (issue 18: exports equal the screen).
    expect(rows[0]).toEqual(['자치구', '판매 액면', '구매 건수', '비중(%)', '주민 1인당']);
    for (const r of rows.slice(1)) {
      expect(r[0]).not.toMatch(/^[=+\-@\t\r']/);
      expect(r[1]).toMatch(/^\d+$/);
      expect(r[2]).toMatch(/^\d+$/);
      for (const figure of r.slice(3)) expect(figure).toMatch(/^(\d+(\.\d+)?)?$/);
    }
    expect(rows.at(-1)![0]).toBe('합계');
  });
});
