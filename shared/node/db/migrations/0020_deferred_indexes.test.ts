import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(async () => {
  l = openDatabase(':memory:');
  await migrateTo(l.db, '0014_calibration');
});
afterEach(() => l.close());

describe('migration 0020_deferred_indexes', () => {
  it('adds a record of set-aside indexes, one row per index name', async () => {
    await migrateTo(l.db, '0020_deferred_indexes');
    await l.db.insertInto('deferred_indexes').values({ name: 'lots_buyer', sql: 'create index lots_buyer on lots (buyer_id)' }).execute();
    await expect(l.db.insertInto('deferred_indexes').values({ name: 'lots_buyer', sql: 'x' }).execute()).rejects.toThrow(/UNIQUE|PRIMARY/);
    await expect(l.db.insertInto('deferred_indexes').values({ name: 'lots_round', sql: null as never }).execute()).rejects.toThrow(/NOT NULL/);
  });

  it('rolls back to 0014', async () => {
    await migrateTo(l.db, '0020_deferred_indexes');
    await migrateTo(l.db, '0014_calibration');
    const t = await sql<{ name: string }>`select name from sqlite_master where name = 'deferred_indexes'`.execute(l.db);
    expect(t.rows).toEqual([]);
  });
});
