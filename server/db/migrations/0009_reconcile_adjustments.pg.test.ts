import { Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, inject } from 'vitest';
import { createDatabase } from '../../../tests/support/postgres.js';
import { connectServerDb, type ServerDb } from '../connect.js';
import { serverMigrationProvider } from './index.js';

let sdb: ServerDb;
const migrator = () => new Migrator({ db: sdb.db, provider: serverMigrationProvider });

beforeEach(async () => {
  sdb = await connectServerDb({ url: await createDatabase(inject('pgUrl')) });
  expect((await migrator().migrateTo('0009_reconcile_adjustments')).error).toBeUndefined();
  await sql`insert into users (id, username, display_name, password_hash, role) values ('u1', 'kim', 'kim', 'x', 'official')`.execute(sdb.db);
});
afterEach(() => sdb.close());

const book = (commandId: string, amount: number, text = '정정 예정') =>
  sql`insert into reconcile_adjustments (command_id, booked_by, booked_at, provider, day, exception, amount, reason, text)
      values (${commandId}, 'u1', now(), 'toss', '2026-03-10', '{"class":"amount_mismatch"}', ${amount}, 'provider_error', ${text})`;

describe('server migration 0009_reconcile_adjustments', () => {
  it('keeps adjustments append-only, one per command, never zero or unexplained', async () => {
    await book('c1', -1000).execute(sdb.db);
    await expect(book('c1', 5).execute(sdb.db)).rejects.toThrow(/duplicate key/);
    await expect(book('c2', 0).execute(sdb.db)).rejects.toThrow(/check constraint/);
    await expect(book('c3', 5, ' ').execute(sdb.db)).rejects.toThrow(/check constraint/);
    await expect(sql`update reconcile_adjustments set amount = 1`.execute(sdb.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from reconcile_adjustments`.execute(sdb.db)).rejects.toThrow(/append-only/);
  });

  it('rolls back to 0008', async () => {
    expect((await migrator().migrateTo('0008_payment_refs')).error).toBeUndefined();
    const left = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name = 'reconcile_adjustments'`.execute(sdb.db);
    expect(left.rows[0]!.n).toBe(0);
  });
});
