import { existsSync, statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type LedgerDb } from '../db/open.js';
import type { MatchResult } from '../../reconcile/match.js';
import { DEFAULT_PROFILES, type SettlementRow } from '../../reconcile/profile.js';
import { recordImport } from './reconcile-repo.js';
import { RowStager } from './stage-rows.js';

const hecto = DEFAULT_PROFILES.find((p) => p.id === 'hecto-pipe')!;
const actor = { id: 'u1', username: 'kim', displayName: '김대사' };
const row = (line: number): SettlementRow => ({
  line, type: 'approval', tid: `T${line}`, originalTid: null, approvalNo: 'A1', approvedMs: Date.parse('2026-03-10T01:00:00Z') + line,
  approvedDay: '2026-03-10', amount: 10_000, fee: 300, vat: 30, net: 9_670, payoutDay: '2026-03-11',
});
const result = (rows: number, exceptions: MatchResult['exceptions'] = []) => ({ day: '2026-03-10', rows, matched: rows, exceptions, byApprovalDay: [{ day: '2026-03-10', count: rows, amount: 0, fee: 0, vat: 0, net: 0 }], byPayoutDay: [] }) as unknown as MatchResult;

let l: LedgerDb;
beforeEach(async () => {
  l = openDatabase(':memory:');
  await migrateToLatest(l.db);
});
afterEach(() => l.close());
const count = (t: string) => l.sqlite.prepare(`select count(*) from ${t}`).pluck().get() as number;

describe('RowStager', () => {
  it('keeps rows in a private file that dispose removes', () => {
    const s = new RowStager(l.sqlite);
    s.add(row(2));
    expect(statSync(s.file).mode & 0o777).toBe(0o600);
    s.dispose();
    expect(existsSync(s.file)).toBe(false);
  });

  it('copies only inside the import transaction', () => {
    const s = new RowStager(l.sqlite);
    try {
      expect(() => s.copyInto(l.sqlite, 'x')).toThrow(/inside the import transaction/);
    } finally {
      s.dispose();
    }
  });

  it('records staged rows and exceptions with the import, in order and exactly', async () => {
    const s = new RowStager(l.sqlite);
    for (let i = 2; i < 5_002; i++) s.add(row(i));
    const exc = [{ class: 'only_in_file', line: 7, tid: 'T7', ledgerTid: null, eventId: null, districtCode: null, fileAmount: 10_000, ledgerAmount: null, explainedBy: null }] as MatchResult['exceptions'];
    const id = await recordImport(l.db, l.sqlite, { profile: hecto, fileName: 'f.txt', hash: 'h1', encoding: 'utf-8', result: result(5_000, exc), stage: s, actor, at: '2026-03-12T03:00:00.000Z' });
    s.dispose();
    expect(l.sqlite.prepare('select row_count from settlement_imports where id = ?').pluck().get(id)).toBe(5_000);
    expect(l.sqlite.prepare('select min(line), max(line), sum(amount), count(*) from settlement_rows').raw().get()).toEqual([2, 5_001, 50_000_000, 5_000]);
    expect(l.sqlite.prepare('select approved_at from settlement_rows where line = 2').pluck().get()).toBe(new Date(row(2).approvedMs).toISOString());
    expect(count('reconcile_exceptions')).toBe(1);
  });

  it('a failure after the rows are copied (an exception the schema refuses) leaves nothing: no import, rows, exceptions or audit', async () => {
    const s = new RowStager(l.sqlite);
    for (let i = 2; i < 1_002; i++) s.add(row(i));
    const bad = [{ class: 'not_a_class', line: 3, tid: 'T3', ledgerTid: null, eventId: null, districtCode: null, fileAmount: 1, ledgerAmount: null, explainedBy: null }] as unknown as MatchResult['exceptions'];
    await expect(
      recordImport(l.db, l.sqlite, { profile: hecto, fileName: 'f.txt', hash: 'h2', encoding: 'utf-8', result: result(1_000, bad), stage: s, actor, at: '2026-03-12T03:00:00.000Z' }),
    ).rejects.toThrow(/CHECK constraint/);
    s.dispose();
    expect([count('settlement_imports'), count('settlement_rows'), count('reconcile_exceptions'), count('audit_log')]).toEqual([0, 0, 0, 0]);
    expect(l.sqlite.inTransaction).toBe(false);
  });

  it('refuses to record when the stage holds fewer rows than were parsed', async () => {
    const s = new RowStager(l.sqlite);
    s.add(row(2));
    await expect(
      recordImport(l.db, l.sqlite, { profile: hecto, fileName: 'f.txt', hash: 'h3', encoding: 'utf-8', result: result(2), stage: s, actor, at: '2026-03-12T03:00:00.000Z' }),
    ).rejects.toThrow(/staged 1 rows, parsed 2/);
    s.dispose();
    expect([count('settlement_imports'), count('settlement_rows')]).toEqual([0, 0]);
  });
});
