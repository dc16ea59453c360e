import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(() => {
  l = openDatabase(':memory:');
});
afterEach(() => l.close());

const row = (seq: number, kind: string, added = 0) =>
  sql`insert into sale_steering_events (seq, event_id, round_id, kind, added_stock, by, proposed_by, at, payload, hash)
      values (${seq}, ${`e${seq}`}, 'r1', ${kind}, ${added}, 'kim', null, '2026-07-14T01:40:00.000Z', '{}', 'h')`.execute(l.db);

describe('migration 0027_sale_steering_events', () => {
  it('keeps the steering events append-only, of the five kinds, with a sync repair the one way to cut them back', async () => {
    await migrateToLatest(l.db);
    await row(1, 'pause');
    await row(2, 'add_stock', 10_000_000);
    await expect(row(3, 'lower_price')).rejects.toThrow(/CHECK/);
    await expect(row(4, 'add_stock', -1)).rejects.toThrow(/CHECK/);
    await expect(row(1, 'resume')).rejects.toThrow(/UNIQUE|PRIMARY/);
    await expect(sql`update sale_steering_events set added_stock = 1`.execute(l.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from sale_steering_events`.execute(l.db)).rejects.toThrow(/append-only/);
    await sql`insert into sync_repair (id) values (1)`.execute(l.db);
    await sql`delete from sale_steering_events where seq >= 2`.execute(l.db);
    expect((await l.db.selectFrom('sale_steering_events').select('seq').execute()).map((r) => r.seq)).toEqual([1]);
  });

  it('rolls back to 0020', async () => {
    await migrateToLatest(l.db);
    await migrateTo(l.db, '0020_deferred_indexes');
    const left = await sql<{ n: number }>`select count(*) as n from sqlite_master where name = 'sale_steering_events'`.execute(l.db);
    expect(left.rows[0]!.n).toBe(0);
  });
});
