import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(async () => {
  l = openDatabase(':memory:');
  await migrateTo(l.db, '0004_sync');
});
afterEach(() => l.close());

const status = (seq: number) =>
  sql`insert into round_statuses (seq, event_id, round_id, status, version, by, payload, hash) values (${seq}, ${`s${seq}`}, 'r1', 'scheduled', 1, 'kim', '{}', 'h')`;

describe('migration 0005_server_identity', () => {
  it('keeps one server token per console user, tied to an existing user', async () => {
    await migrateTo(l.db, '0005_server_identity');
    await sql`pragma foreign_keys = on`.execute(l.db);
    await l.db.insertInto('server_tokens').values({ user_id: 'server', token: 't1', server_user: '{}', obtained_at: 'x' }).execute();
    await expect(l.db.insertInto('server_tokens').values({ user_id: 'server', token: 't2', server_user: '{}', obtained_at: 'x' }).execute()).rejects.toThrow(/UNIQUE|PRIMARY/);
    await expect(l.db.insertInto('server_tokens').values({ user_id: 'nobody', token: 't3', server_user: '{}', obtained_at: 'x' }).execute()).rejects.toThrow(/FOREIGN KEY/);
  });

  it('keeps round status events append-only except under the repair flag', async () => {
    await migrateTo(l.db, '0005_server_identity');
    await status(1).execute(l.db);
    await expect(sql`update round_statuses set status = 'closed'`.execute(l.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from round_statuses`.execute(l.db)).rejects.toThrow(/append-only/);
    await sql`insert into sync_repair (id) values (1)`.execute(l.db);
    await sql`delete from round_statuses`.execute(l.db);
    expect((await sql`select 1 from round_statuses`.execute(l.db)).rows).toEqual([]);
  });

  it('rolls back to 0004', async () => {
    await migrateTo(l.db, '0005_server_identity');
    await migrateTo(l.db, '0004_sync');
    const tables = await sql<{ name: string }>`select name from sqlite_master where name in ('server_tokens', 'round_statuses')`.execute(l.db);
    expect(tables.rows).toEqual([]);
  });
});
