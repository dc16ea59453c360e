import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(async () => {
  l = openDatabase(':memory:');
  await migrateTo(l.db, '0001_initial');
});
afterEach(() => l.close());

const at = '2026-03-02T00:00:00.000Z';
const lot = {
  lot_id: 'l1', round_id: 'r1', buyer_id: 'b1', holder_id: 'b1', scope: 'city', district_code: '11440', payment_method: 'bank_transfer',
  face: 100_000, paid: 95_000, discount_bp: 500, purchased_at: at, month: '2026-03', expires_at: at, used: 0, refunded: 0,
  status: 'active' as const, gifted: 0, gift_month: null,
};

describe('migration 0002_ledger', () => {
  it('adds the ledger to a database holding 0001 data, which it keeps', async () => {
    await l.db.insertInto('users').values({ id: 'u1', username: 'kim', display_name: '김', password_hash: 'x', role: 'official', district_code: null, disabled: 0, created_at: at, created_by: null }).execute();
    await migrateTo(l.db, '0002_ledger');
    expect(await l.db.selectFrom('users').select('username').execute()).toEqual([{ username: 'kim' }]);
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(l.db);
    expect(tables.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['ledger_events', 'lots', 'round_sales']));
  });

  it('restates the ledger invariants as constraints', async () => {
    await migrateTo(l.db, '0002_ledger');
    await expect(l.db.insertInto('lots').values({ ...lot, paid: 100_001 }).execute()).rejects.toThrow(/CHECK/);
    await l.db.insertInto('lots').values(lot).execute();
    await expect(l.db.updateTable('lots').set({ refunded: 95_001 }).execute()).rejects.toThrow(/CHECK/);
    await expect(l.db.updateTable('lots').set({ used: 100_001 }).execute()).rejects.toThrow(/CHECK/);
    await expect(l.db.insertInto('round_sales').values({ round_id: 'r1', sold_face: -1, lot_count: 0 }).execute()).rejects.toThrow(/CHECK/);
  });

  it('makes ledger events append-only', async () => {
    await migrateTo(l.db, '0002_ledger');
    await l.db.insertInto('ledger_events').values({ event_id: 'e1', type: 'purchase', round_id: 'r1', lot_id: 'l1', district_code: '11440', amount: 1, payment_method: 'bank_transfer', occurred_at: at, payload: '{}' }).execute();
    await expect(l.db.updateTable('ledger_events').set({ amount: 2 }).execute()).rejects.toThrow(/append-only/);
    await expect(l.db.deleteFrom('ledger_events').execute()).rejects.toThrow(/append-only/);
  });

  it('rolls back to 0001', async () => {
    await migrateTo(l.db, '0002_ledger');
    await migrateTo(l.db, '0001_initial');
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(l.db);
    expect(tables.rows.map((r) => r.name)).not.toContain('lots');
  });
});
