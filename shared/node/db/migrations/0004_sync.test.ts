import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(async () => {
  l = openDatabase(':memory:');
  await migrateTo(l.db, '0003_simulations');
});
afterEach(() => l.close());

const event = (seq: number) =>
  sql`insert into ledger_events (seq, event_id, type, round_id, lot_id, district_code, amount, payment_method, occurred_at, payload)
      values (${seq}, ${`e${seq}`}, 'purchase', 'r1', ${`lot${seq}`}, '11110', 10000, 'bank_transfer', '2026-03-02T00:00:00.000Z', '{}')`;

describe('migration 0004_sync', () => {
  it('keeps existing ledger events, adds the hash column, the sync cursor row and the server user', async () => {
    await event(1).execute(l.db);
    await migrateTo(l.db, '0004_sync');
    const rows = await sql<{ seq: number; hash: string | null }>`select seq, hash from ledger_events`.execute(l.db);
    expect(rows.rows).toEqual([{ seq: 1, hash: null }]);
    expect(await l.db.selectFrom('sync_state').selectAll().execute()).toMatchObject([{ id: 1, last_seq: 0, last_hash: '0'.repeat(64), chain_status: 'unchecked' }]);
    expect(await l.db.selectFrom('users').select(['id', 'disabled']).where('id', '=', 'server').execute()).toEqual([{ id: 'server', disabled: 1 }]);
    // Only one cursor row can exist.
    await expect(sql`insert into sync_state (id) values (2)`.execute(l.db)).rejects.toThrow(/CHECK/);
  });

  it('lets synced history be deleted only while the repair flag is raised', async () => {
    await migrateTo(l.db, '0004_sync');
    await event(1).execute(l.db);
    await sql`insert into round_publications (seq, event_id, round_id, version, published_by, payload, hash) values (2, 'p2', 'r1', 1, 'kim', '{}', 'h')`.execute(l.db);
    await expect(sql`delete from ledger_events`.execute(l.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from round_publications`.execute(l.db)).rejects.toThrow(/append-only/);
    await expect(sql`update round_publications set version = 2`.execute(l.db)).rejects.toThrow(/append-only/);
    await expect(sql`update ledger_events set amount = 1`.execute(l.db)).rejects.toThrow(/append-only/);
    await sql`insert into sync_repair (id) values (1)`.execute(l.db);
    await sql`delete from ledger_events`.execute(l.db);
    await sql`delete from round_publications`.execute(l.db);
    expect((await sql`select 1 from ledger_events union all select 1 from round_publications`.execute(l.db)).rows).toEqual([]);
  });

  it('holds outbox states to pending, accepted or rejected', async () => {
    await migrateTo(l.db, '0004_sync');
    const row = { command_id: 'c1', type: 'approve_refund', payload: '{}', round_id: 'r1', lot_id: 'l1', created_at: 'x', created_by: 'u', next_attempt_at: 'x' };
    await l.db.insertInto('outbox').values({ ...row, state: 'pending', attempts: 0 }).execute();
    await expect(l.db.insertInto('outbox').values({ ...row, command_id: 'c2', state: 'lost' as never, attempts: 0 }).execute()).rejects.toThrow(/CHECK/);
  });

  it('rolls back to 0003 with ledger events kept and append-only again', async () => {
    await migrateTo(l.db, '0004_sync');
    await event(1).execute(l.db);
    await migrateTo(l.db, '0003_simulations');
    const tables = await sql<{ name: string }>`select name from sqlite_master where name in ('sync_state', 'outbox', 'round_publications', 'sync_repair')`.execute(l.db);
    expect(tables.rows).toEqual([]);
    expect((await sql<{ n: number }>`select count(*) as n from ledger_events`.execute(l.db)).rows[0]!.n).toBe(1);
    await expect(sql`delete from ledger_events`.execute(l.db)).rejects.toThrow(/append-only/);
    expect(await l.db.selectFrom('users').select('id').where('id', '=', 'server').execute()).toEqual([]);
  });
});
