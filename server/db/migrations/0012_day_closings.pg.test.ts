import { Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, inject } from 'vitest';
import { createDatabase } from '../../../tests/support/postgres.js';
import { connectServerDb, type ServerDb } from '../connect.js';
import { serverMigrationProvider } from './index.js';

let sdb: ServerDb;
const migrator = () => new Migrator({ db: sdb.db, provider: serverMigrationProvider });

beforeEach(async () => {
  sdb = await connectServerDb({ url: await createDatabase(inject('pgUrl')) });
  expect((await migrator().migrateTo('0012_day_closings')).error).toBeUndefined();
  await sql`insert into users (id, username, display_name, password_hash, role, district_code) values ('u1', 'mapo', 'mapo', 'x', 'clerk', '11440')`.execute(sdb.db);
});
afterEach(() => sdb.close());

const close = (district: string, day: string, by = 'u1') =>
  sql`insert into day_closings (district_code, day, closed, changed_by, changed_at, seq) values (${district}, ${day}, true, ${by}, now(), 1)`;

describe('server migration 0012_day_closings', () => {
  it('keeps one row per district and Seoul day, written as a day and a district code, by a real user', async () => {
    await close('11440', '2026-03-03').execute(sdb.db);
    await expect(close('11440', '2026-03-03').execute(sdb.db)).rejects.toThrow(/duplicate key/);
    await expect(close('1144', '2026-03-04').execute(sdb.db)).rejects.toThrow(/check constraint/);
    await expect(close('11440', '2026-3-4').execute(sdb.db)).rejects.toThrow(/check constraint/);
    await expect(close('11440', '2026-03-05', 'nobody').execute(sdb.db)).rejects.toThrow(/foreign key/);
    const rows = await sql<{ day: string }>`select day from day_closings`.execute(sdb.db);
    expect(rows.rows).toEqual([{ day: '2026-03-03' }]);
  });

  it('rolls back to 0009', async () => {
    expect((await migrator().migrateTo('0009_reconcile_adjustments')).error).toBeUndefined();
    const left = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name = 'day_closings'`.execute(sdb.db);
    expect(left.rows[0]!.n).toBe(0);
  });
});
