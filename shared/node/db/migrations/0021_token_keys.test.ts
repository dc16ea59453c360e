import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomDataKey, vaultFromKey } from '../../secrets/vault.js';
import { migrateTo, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(async () => {
  l = openDatabase(':memory:', { vault: vaultFromKey(randomDataKey()) });
  await migrateTo(l.db, '0020_deferred_indexes');
});
afterEach(() => l.close());

const at = '2026-03-02T00:00:00.000Z';

describe('migration 0021_token_keys', () => {
  it('drops the tokens only the folder key sealed, adds a salt per user and the connection wraps, and rolls back', async () => {
    await sql`insert into users (id, username, display_name, password_hash, role, district_code, disabled, created_at, created_by) values ('u1', 'kim', '김', 'x', 'official', null, 0, ${at}, null)`.execute(l.db);
    await sql`insert into server_tokens (user_id, token, server_user, obtained_at) values ('u1', 'sealed:v1:abc', '{}', ${at})`.execute(l.db);
    await sql`update sync_state set server_url = 'http://server', token = 'sealed:v1:def' where id = 1`.execute(l.db);
    await migrateTo(l.db, '0021_token_keys');
    expect((await sql`select * from server_tokens`.execute(l.db)).rows).toEqual([]);
    expect((await sql`select server_url, token from sync_state`.execute(l.db)).rows).toEqual([{ server_url: 'http://server', token: null }]);
    expect((await sql`select token_salt from users where id = 'u1'`.execute(l.db)).rows).toEqual([{ token_salt: null }]);
    await sql`insert into connection_wraps (user_id, token) values ('u1', 'w')`.execute(l.db);
    await expect(sql`insert into connection_wraps (user_id, token) values ('nobody', 'w')`.execute(l.db)).rejects.toThrow(/FOREIGN KEY/);
    await migrateTo(l.db, '0020_deferred_indexes');
    expect((await sql`select name from sqlite_master where name = 'connection_wraps'`.execute(l.db)).rows).toEqual([]);
    expect((await sql<{ name: string }>`select name from pragma_table_info('users')`.execute(l.db)).rows.map((r) => r.name)).not.toContain('token_salt');
  });
});
