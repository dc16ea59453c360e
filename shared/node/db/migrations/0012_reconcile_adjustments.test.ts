import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(() => {
  l = openDatabase(':memory:');
});
afterEach(() => l.close());

const seed = async () => {
  await sql`insert into settlement_imports (id, sha256, profile_id, provider, file_name, encoding, day, row_count, imported_by, imported_at)
            values ('i1', 'abc', 'hecto-pipe', 'hecto', 'f', 'utf-8', '2026-03-10', 2, 'kim', '2026-03-11T00:00:00Z')`.execute(l.db);
  await sql`insert into reconcile_exceptions (import_id, provider, day, class, file_amount, ledger_amount, resolution, resolution_text, adjustment, resolved_by, resolved_at)
            values ('i1', 'hecto', '2026-03-10', 'amount_mismatch', 9000, 10000, 'provider_error', '정정 예정', -1000, 'kim', '2026-03-11T01:00:00Z'),
                   ('i1', 'hecto', '2026-03-10', 'only_in_file', 5000, null, 'timing', null, 0, 'kim', '2026-03-11T01:00:00Z')`.execute(l.db);
};

describe('migration 0012_reconcile_adjustments', () => {
  it('carries adjustments booked before it into the journal, and keeps the journal append-only', async () => {
    await migrateTo(l.db, '0011_reports');
    await seed();
    await migrateToLatest(l.db);
    const rows = await l.db.selectFrom('reconcile_adjustments').select(['exception_id', 'day', 'provider', 'amount', 'reason', 'text', 'by', 'at']).execute();
    expect(rows).toEqual([{ exception_id: 1, day: '2026-03-10', provider: 'hecto', amount: -1000, reason: 'provider_error', text: '정정 예정', by: 'kim', at: '2026-03-11T01:00:00Z' }]);
    await expect(sql`update reconcile_adjustments set amount = 1`.execute(l.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from reconcile_adjustments`.execute(l.db)).rejects.toThrow(/append-only/);
    const book = (amount: number, text: string) =>
      sql`insert into reconcile_adjustments (exception_id, day, provider, amount, reason, text, by, by_name, at) values (2, '2026-03-10', 'hecto', ${amount}, 'other', ${text}, 'kim', '김', 'now')`.execute(l.db);
    await expect(book(0, '영')).rejects.toThrow(/CHECK/);
    await expect(book(5, '  ')).rejects.toThrow(/CHECK/);
    await book(5000, '정산 누락분');
    expect(Number((await sql<{ n: number }>`select sum(amount) as n from reconcile_adjustments`.execute(l.db)).rows[0]!.n)).toBe(4000);
  });

  it('rolls back to 0011', async () => {
    await migrateToLatest(l.db);
    await migrateTo(l.db, '0011_reports');
    const left = await sql<{ name: string }>`select name from sqlite_master where name like 'reconcile_adjustments%'`.execute(l.db);
    expect(left.rows).toEqual([]);
  });
});
