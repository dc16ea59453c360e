import { Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, inject } from 'vitest';
import { createDatabase } from '../../../tests/support/postgres.js';
import { connectServerDb, type ServerDb } from '../connect.js';
import { serverMigrationProvider } from './index.js';

let sdb: ServerDb;
let migrator: Migrator;
beforeEach(async () => {
  sdb = await connectServerDb({ url: await createDatabase(inject('pgUrl')) });
  migrator = new Migrator({ db: sdb.db, provider: serverMigrationProvider });
});
afterEach(() => sdb.close());

const hasColumn = async () =>
  (await sql<{ n: number }>`select count(*)::int as n from information_schema.columns where table_name = 'users' and column_name = 'must_change_password'`.execute(sdb.db)).rows[0]!.n;

describe('server migration 0011_password_change_required', () => {
  it('gives existing accounts a false flag, and rolls back cleanly', async () => {
    expect((await migrator.migrateTo('0009_reconcile_adjustments')).error).toBeUndefined();
    await sql`insert into users (id, username, display_name, password_hash, role, district_code, disabled) values ('u1', 'kim', '김', 'x', 'official', null, false)`.execute(sdb.db);
    expect((await migrator.migrateTo('0011_password_change_required')).error).toBeUndefined();
    expect(await sdb.db.selectFrom('users').select('must_change_password').where('id', '=', 'u1').executeTakeFirstOrThrow()).toEqual({ must_change_password: false });
    expect((await migrator.migrateDown()).error).toBeUndefined();
    expect(await hasColumn()).toBe(0);
  });
});
