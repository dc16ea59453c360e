import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(async () => {
  l = openDatabase(':memory:');
  await migrateToLatest(l.db);
  await sql`insert into users (id, username, display_name, password_hash, role, district_code, disabled, created_at) values ('u1', 'mapo', '마포', 'x', 'clerk', '11440', 0, 'now')`.execute(l.db);
});
afterEach(() => l.close());

const request = (commandId: string, receipt: string, patch: { amount?: number; state?: string } = {}) =>
  sql`insert into counter_requests (command_id, receipt_no, lot_id, round_id, district_code, buyer_id, kind, amount, working, reason_code, reason_text, clerk_id, created_at, state)
      values (${commandId}, ${receipt}, 'l1', 'r1', '11440', 'b1', 'cancel', ${patch.amount ?? 95_000}, '{}', 'buyer_request', '', 'u1', 'now', ${patch.state ?? 'queued'})`;

describe('migration 0009_counter', () => {
  it('keeps one request per receipt number, with a positive amount and a known state', async () => {
    await request('c1', 'R1').execute(l.db);
    await expect(request('c2', 'R1').execute(l.db)).rejects.toThrow(/UNIQUE/);
    await expect(request('c3', 'R3', { amount: 0 }).execute(l.db)).rejects.toThrow(/CHECK/);
    await expect(request('c4', 'R4', { state: 'sent' }).execute(l.db)).rejects.toThrow(/CHECK/);
  });

  it('starts with no two-person amount and one settings row', async () => {
    expect(await l.db.selectFrom('counter_settings').select(['id', 'countersign_above']).execute()).toEqual([{ id: 1, countersign_above: null }]);
    await expect(sql`insert into counter_settings (id) values (2)`.execute(l.db)).rejects.toThrow(/CHECK/);
  });

  it('holds one closing of a district’s day at a time, and keeps reopened ones', async () => {
    const close = () => sql`insert into counter_closings (district_code, day, closed_by, closed_at, figures) values ('11440', '2026-03-12', 'u1', 'now', '{}')`;
    await close().execute(l.db);
    await expect(close().execute(l.db)).rejects.toThrow(/UNIQUE/);
    await sql`update counter_closings set reopened_by = 'u1', reopened_at = 'later', reopen_reason = 'x'`.execute(l.db);
    await close().execute(l.db);
    await expect(sql`delete from counter_closings`.execute(l.db)).rejects.toThrow(/kept/);
  });

  it('rolls back to 0008', async () => {
    await migrateTo(l.db, '0008_audit_anchor');
    const left = await sql<{ n: number }>`select count(*) as n from sqlite_master where name like 'counter_%' or name in ('lots_buyer', 'lots_district_purchased', 'ledger_events_returns')`.execute(l.db);
    expect(Number(left.rows[0]!.n)).toBe(0);
  });
});
