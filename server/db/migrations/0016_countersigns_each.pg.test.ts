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

const sign = (by: string, amount: number) =>
  sql`insert into refund_countersigns (requested_by, request_command_id, lot_id, kind, amount, countersigned_by, countersigned_at) values ('mapo', 'c1', 'lot1', 'cancel', ${amount}, ${by}, now())`;

describe('server migration 0016_countersigns_each', () => {
  it('keeps one row per colleague and content, refuses the same one twice, stays append-only, and rolls back', async () => {
    expect((await migrator.migrateTo('0015_short_tokens')).error).toBeUndefined();
    await sql`insert into users (id, username, display_name, password_hash, role, district_code, disabled) values ('u1', 'mapo2', 'm', 'x', 'clerk', '11440', false), ('u2', 'kim', 'k', 'x', 'official', null, false)`.execute(sdb.db);
    await sign('u1', 9_990).execute(sdb.db);
    await expect(sign('u2', 10_000).execute(sdb.db)).rejects.toThrow(/refund_countersigns_pk/);
    expect((await migrator.migrateTo('0016_countersigns_each')).error).toBeUndefined();
    await sign('u2', 10_000).execute(sdb.db);
    await sign('u1', 10_000).execute(sdb.db);
    await expect(sign('u2', 10_000).execute(sdb.db)).rejects.toThrow(/refund_countersigns_pk/);
    await expect(sql`delete from refund_countersigns`.execute(sdb.db)).rejects.toThrow(/append-only/);
    expect((await sql<{ n: number }>`select count(*)::int as n from refund_countersigns`.execute(sdb.db)).rows[0]!.n).toBe(3);
  });

  it('rolls back to one row per request when none has two', async () => {
    expect((await migrator.migrateTo('0016_countersigns_each')).error).toBeUndefined();
    expect((await migrator.migrateTo('0015_short_tokens')).error).toBeUndefined();
  });
});
