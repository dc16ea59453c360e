import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(() => {
  l = openDatabase(':memory:');
});
afterEach(() => l.close());

const checkpoint = (id: string, seq: number, amount: number, applied: number) =>
  sql`insert into use_checkpoints (id, fold_id, lot_id, district_code, seq, count, amount, applied, payload)
      values (${id}, 'f1', 'lot-1', '11680', ${seq}, 2, ${amount}, ${applied}, '{}')`.execute(l.db);

describe('migration 0038_use_checkpoints', () => {
  it('keeps folds and checkpoints append-only, applied within the amount, with a sync repair the one way to cut them back', async () => {
    await migrateToLatest(l.db);
    await sql`insert into use_folds (seq, event_id, fold_id, by, at, payload, hash) values (9, 'e9', 'f1', 'root', '2026-04-20T00:00:00.000Z', '{}', 'h')`.execute(l.db);
    await expect(sql`insert into use_folds (seq, event_id, fold_id, by, at, payload, hash) values (10, 'e10', 'f1', 'root', 'x', '{}', 'h')`.execute(l.db)).rejects.toThrow(/UNIQUE/);
    await checkpoint('c1', 5, 20_000, 10_000);
    await checkpoint('c2', 7, 20_000, 0);
    await expect(checkpoint('c3', 8, 20_000, 20_001)).rejects.toThrow(/CHECK/);
    await expect(checkpoint('c4', 8, -1, 0)).rejects.toThrow(/CHECK/);
    await sql`insert into checkpoint_uses (checkpoint_id, round_id, lot_id, hour, merchant_district, n, amount) values ('c1', 'r1', 'lot-1', '2026-03-03 11', null, 1, 10000)`.execute(l.db);
    await expect(sql`insert into checkpoint_uses (checkpoint_id, round_id, lot_id, hour, merchant_district, n, amount) values ('c1', 'r1', 'lot-1', '2026-03-03 11', null, 0, 0)`.execute(l.db)).rejects.toThrow(/CHECK/);
    expect((await l.db.selectFrom('checkpoint_uses').select('summed').executeTakeFirstOrThrow()).summed).toBe(0);
    await expect(sql`update use_checkpoints set applied = 0`.execute(l.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from use_checkpoints`.execute(l.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from use_folds`.execute(l.db)).rejects.toThrow(/append-only/);
    await sql`insert into sync_repair (id) values (1)`.execute(l.db);
    await sql`delete from use_checkpoints where seq >= 6`.execute(l.db);
    expect((await l.db.selectFrom('use_checkpoints').select('id').execute()).map((r) => r.id)).toEqual(['c1']);
  });

  it('rolls back to 0037', async () => {
    await migrateToLatest(l.db);
    await migrateTo(l.db, '0037_adjustment_countersign_of');
    const left = await sql<{ n: number }>`select count(*) as n from sqlite_master where name in ('use_folds', 'use_checkpoints', 'checkpoint_uses')`.execute(l.db);
    expect(left.rows[0]!.n).toBe(0);
  });
});
