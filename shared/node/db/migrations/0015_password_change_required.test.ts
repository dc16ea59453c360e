import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(async () => {
  l = openDatabase(':memory:');
  await migrateTo(l.db, '0014_calibration');
});
afterEach(() => l.close());

const at = '2026-03-02T00:00:00.000Z';
const columns = async () => (await sql<{ name: string }>`select name from pragma_table_info('users')`.execute(l.db)).rows.map((r) => r.name);

describe('migration 0015_password_change_required', () => {
  it('gives existing users a flag at 0, takes only 0 or 1, and rolls back to 0014', async () => {
    await l.db.insertInto('users').values({ id: 'u1', username: 'kim', display_name: '김', password_hash: 'x', role: 'official', district_code: null, disabled: 0, created_at: at, created_by: null }).execute();
    await migrateTo(l.db, '0015_password_change_required');
    expect(await l.db.selectFrom('users').select('must_change_password').where('id', '=', 'u1').executeTakeFirstOrThrow()).toEqual({ must_change_password: 0 });
    await expect(l.db.updateTable('users').set({ must_change_password: 2 }).where('id', '=', 'u1').execute()).rejects.toThrow(/CHECK/);
    await l.db.updateTable('users').set({ must_change_password: 1 }).where('id', '=', 'u1').execute();
    await migrateTo(l.db, '0014_calibration');
    expect(await columns()).not.toContain('must_change_password');
    expect(await l.db.selectFrom('users').select('username').where('id', '=', 'u1').executeTakeFirst()).toEqual({ username: 'kim' });
  });
});
