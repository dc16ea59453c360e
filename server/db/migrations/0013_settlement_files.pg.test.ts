import { Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, inject } from 'vitest';
import { createDatabase } from '../../../tests/support/postgres.js';
import { connectServerDb, type ServerDb } from '../connect.js';
import { serverMigrationProvider } from './index.js';

let sdb: ServerDb;
const migrator = () => new Migrator({ db: sdb.db, provider: serverMigrationProvider });
const D = 'a'.repeat(64);

beforeEach(async () => {
  sdb = await connectServerDb({ url: await createDatabase(inject('pgUrl')) });
  expect((await migrator().migrateTo('0013_settlement_files')).error).toBeUndefined();
  await sql`insert into users (id, username, display_name, password_hash, role) values ('u1', 'kim', 'kim', 'x', 'official')`.execute(sdb.db);
});
afterEach(() => sdb.close());

const file = (digest: string, day = '2026-03-10') =>
  sql`insert into settlement_files (file_digest, provider, day, payout_day, days, command_id, recorded_by, recorded_at)
      values (${digest}, 'toss', ${day}, null, '[]', 'c1', 'u1', now())`;

describe('server migration 0013_settlement_files', () => {
  it('keeps files, their exceptions and countersigns append-only; a file is named by its SHA-256 and a day by its ISO date', async () => {
    await file(D).execute(sdb.db);
    await expect(file(D).execute(sdb.db)).rejects.toThrow(/duplicate key/);
    await expect(file('not-a-digest').execute(sdb.db)).rejects.toThrow(/check constraint/);
    await expect(file('b'.repeat(64), '10/03/2026').execute(sdb.db)).rejects.toThrow(/check constraint/);
    await sql`insert into settlement_exceptions (file_digest, ref, provider, day, class, difference) values (${D}, 'L3', 'toss', '2026-03-10', 'duplicate', 5000)`.execute(sdb.db);
    await expect(sql`insert into settlement_exceptions (file_digest, ref, provider, day, class, difference) values (${'c'.repeat(64)}, 'L3', 'toss', '2026-03-10', 'duplicate', 5000)`.execute(sdb.db)).rejects.toThrow(/foreign key/);
    await sql`insert into adjustment_countersigns values ('kim', 'r1', ${D}, 'L3', 5000, 'u1', now())`.execute(sdb.db);
    for (const t of ['settlement_files', 'settlement_exceptions', 'adjustment_countersigns']) {
      await expect(sql`update ${sql.table(t)} set file_digest = file_digest`.execute(sdb.db)).rejects.toThrow(/append-only/);
      await expect(sql`delete from ${sql.table(t)}`.execute(sdb.db)).rejects.toThrow(/append-only/);
    }
    // Bookings made before 0013 name no file; new ones name their file and exception.
    await sql`insert into reconcile_adjustments (command_id, booked_by, booked_at, provider, day, exception, amount, reason, text, file_digest, exception_ref)
      values ('b1', 'u1', now(), 'toss', '2026-03-10', '{}', 5000, 'other', '확인', ${D}, 'L3')`.execute(sdb.db);
    const settings = await sql<{ countersign_above: number | null }>`select countersign_above from reconcile_settings`.execute(sdb.db);
    expect(settings.rows).toEqual([{ countersign_above: null }]);
    await expect(sql`insert into reconcile_settings (id) values (2)`.execute(sdb.db)).rejects.toThrow(/check constraint/);
  });

  it('rolls back to 0009', async () => {
    expect((await migrator().migrateTo('0009_reconcile_adjustments')).error).toBeUndefined();
    const left = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name in ('settlement_files', 'settlement_exceptions', 'reconcile_settings', 'adjustment_countersigns', 'reconcile_day_locks')`.execute(sdb.db);
    expect(left.rows[0]!.n).toBe(0);
    const cols = await sql<{ n: number }>`select count(*)::int as n from information_schema.columns where table_name = 'reconcile_adjustments' and column_name = 'file_digest'`.execute(sdb.db);
    expect(cols.rows[0]!.n).toBe(0);
  });
});
