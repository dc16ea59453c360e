import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(() => {
  l = openDatabase(':memory:');
});
afterEach(() => l.close());

const row = (seq: number, type: string) =>
  sql`insert into server_reconcile_journal (seq, event_id, type, day, provider, amount, by, at, payload, hash)
      values (${seq}, ${`e${seq}`}, ${type}, '2026-03-10', 'toss', ${type === 'adjustment_booked' ? -1000 : null}, 'kim', '2026-03-12T03:00:00.000Z', '{}', 'h')`.execute(l.db);

describe('migration 0017_server_reconcile_journal', () => {
  it('keeps the server’s journal append-only, with a sync repair the one way to cut it back', async () => {
    await migrateToLatest(l.db);
    await row(1, 'adjustment_booked');
    await row(2, 'reconcile_day_locked');
    await expect(row(3, 'adjustment_deleted')).rejects.toThrow(/CHECK/);
    await expect(row(1, 'adjustment_booked')).rejects.toThrow(/UNIQUE|PRIMARY/);
    await expect(sql`update server_reconcile_journal set amount = 1`.execute(l.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from server_reconcile_journal`.execute(l.db)).rejects.toThrow(/append-only/);
    await sql`insert into sync_repair (id) values (1)`.execute(l.db);
    await sql`delete from server_reconcile_journal where seq >= 2`.execute(l.db);
    expect((await l.db.selectFrom('server_reconcile_journal').select('seq').execute()).map((r) => r.seq)).toEqual([1]);
  });

  it('rolls back to 0014', async () => {
    await migrateToLatest(l.db);
    await migrateTo(l.db, '0014_calibration');
    const left = await sql<{ n: number }>`select count(*) as n from sqlite_master where name = 'server_reconcile_journal'`.execute(l.db);
    expect(left.rows[0]!.n).toBe(0);
  });
});
