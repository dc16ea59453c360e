import { Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, inject } from 'vitest';
import { createDatabase } from '../../../tests/support/postgres.js';
import { connectServerDb, type ServerDb } from '../connect.js';
import { serverMigrationProvider } from './index.js';

let sdb: ServerDb;
const migrator = () => new Migrator({ db: sdb.db, provider: serverMigrationProvider });

beforeEach(async () => {
  sdb = await connectServerDb({ url: await createDatabase(inject('pgUrl')) });
  expect((await migrator().migrateTo('0021_sale_steering')).error).toBeUndefined();
  await sql`insert into users (id, username, display_name, password_hash, role, district_code) values ('u1', 'kim', 'kim', 'x', 'official', null)`.execute(sdb.db);
});
afterEach(() => sdb.close());

describe('server migration 0021_sale_steering', () => {
  it('keeps one controls row per round, numbered from 1, and proposals by real users, one per round and id', async () => {
    const controls = (round: string, revision: number, by = 'u1') =>
      sql`insert into sale_controls (round_id, revision, controls, changed_by, changed_at, seq) values (${round}, ${revision}, '{}', ${by}, now(), 1)`.execute(sdb.db);
    await controls('r1', 1);
    await expect(controls('r1', 2)).rejects.toThrow(/duplicate key/);
    await expect(controls('r2', 0)).rejects.toThrow(/check constraint/);
    await expect(controls('r3', 1, 'nobody')).rejects.toThrow(/foreign key/);
    const propose = (id: string, by = 'u1') =>
      sql`insert into sale_change_proposals (round_id, proposal_id, change, proposed_by, proposed_at) values ('r1', ${id}, '{"kind":"stop"}', ${by}, now())`.execute(sdb.db);
    await propose('p1');
    await expect(propose('p1')).rejects.toThrow(/duplicate key/);
    await expect(propose('p2', 'nobody')).rejects.toThrow(/foreign key/);
    const rows = await sql<{ decided_seq: string | null }>`select decided_seq from sale_change_proposals`.execute(sdb.db);
    expect(rows.rows).toEqual([{ decided_seq: null }]);
  });

  it('rolls back to 0013', async () => {
    expect((await migrator().migrateTo('0013_settlement_files')).error).toBeUndefined();
    const left = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name in ('sale_controls', 'sale_change_proposals')`.execute(sdb.db);
    expect(left.rows[0]!.n).toBe(0);
  });
});
