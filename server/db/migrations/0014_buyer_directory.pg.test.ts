import { Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, inject } from 'vitest';
import { createDatabase } from '../../../tests/support/postgres.js';
import { connectServerDb, type ServerDb } from '../connect.js';
import { serverMigrationProvider } from './index.js';

let sdb: ServerDb;
const migrator = () => new Migrator({ db: sdb.db, provider: serverMigrationProvider });

beforeEach(async () => {
  sdb = await connectServerDb({ url: await createDatabase(inject('pgUrl')) });
  expect((await migrator().migrateTo('0014_buyer_directory')).error).toBeUndefined();
  await sql`insert into users (id, username, display_name, password_hash, role, district_code) values ('u1', 'mapo', 'mapo', 'x', 'clerk', '11440')`.execute(sdb.db);
});
afterEach(() => sdb.close());

const entry = (reason: string) =>
  sql`insert into directory_access_log (at, user_id, username, role, district_code, address, action, reason, buyer_ids)
      values (now(), 'u1', 'mapo', 'clerk', '11440', '127.0.0.1', 'search_phone', ${reason}, ${['b1']})`;

describe('server migration 0014_buyer_directory', () => {
  it('keeps the access log append-only and every entry explained', async () => {
    await entry('환불 문의').execute(sdb.db);
    await expect(entry('  ').execute(sdb.db)).rejects.toThrow(/check constraint/);
    await expect(sql`update directory_access_log set reason = 'x'`.execute(sdb.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from directory_access_log`.execute(sdb.db)).rejects.toThrow(/append-only/);
  });

  it('holds one directory row per buyer', async () => {
    const row = (id: string) =>
      sql`insert into buyer_directory (buyer_id, district_code, phone_hash, name_birth_hash, phone_sealed, name_sealed, birth_sealed, recorded_at)
          values (${id}, '11440', 'h', 'n', 's', 's', 's', now())`;
    await row('b1').execute(sdb.db);
    await expect(row('b1').execute(sdb.db)).rejects.toThrow(/duplicate key/);
  });

  it('rolls back to 0009', async () => {
    expect((await migrator().migrateTo('0009_reconcile_adjustments')).error).toBeUndefined();
    const left = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name in ('buyer_directory', 'directory_access_log')`.execute(sdb.db);
    expect(left.rows[0]!.n).toBe(0);
  });
});
