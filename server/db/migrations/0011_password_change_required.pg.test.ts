import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useMigrationDb } from '../../../tests/support/server-migrations.js';

const mig = useMigrationDb();

const hasColumn = async () =>
  (await sql<{ n: number }>`select count(*)::int as n from information_schema.columns where table_name = 'users' and column_name = 'must_change_password'`.execute(mig.sdb.db)).rows[0]!.n;

describe('server migration 0011_password_change_required', () => {
  it('gives existing accounts a false flag, and rolls back cleanly', async () => {
    expect((await mig.migrator.migrateTo('0009_reconcile_adjustments')).error).toBeUndefined();
    await sql`insert into users (id, username, display_name, password_hash, role, district_code, disabled) values ('u1', 'kim', '김', 'x', 'official', null, false)`.execute(mig.sdb.db);
    expect((await mig.migrator.migrateTo('0011_password_change_required')).error).toBeUndefined();
    expect(await mig.sdb.db.selectFrom('users').select('must_change_password').where('id', '=', 'u1').executeTakeFirstOrThrow()).toEqual({ must_change_password: false });
    expect((await mig.migrator.migrateDown()).error).toBeUndefined();
    expect(await hasColumn()).toBe(0);
  });
});
