import { Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, inject } from 'vitest';
import { createDatabase } from '../../../tests/support/postgres.js';
import { connectServerDb, type ServerDb } from '../connect.js';
import { serverMigrationProvider } from './index.js';

let sdb: ServerDb;
const migrator = () => new Migrator({ db: sdb.db, provider: serverMigrationProvider });

beforeEach(async () => {
  sdb = await connectServerDb({ url: await createDatabase(inject('pgUrl')) });
  expect((await migrator().migrateTo('0007_refund_approvals')).error).toBeUndefined();
  await sql`insert into users (id, username, display_name, password_hash, role) values ('u1', 'kim', 'kim', 'x', 'official')`.execute(sdb.db);
});
afterEach(() => sdb.close());

describe('server migration 0007_refund_approvals', () => {
  it('starts with no threshold, one settings row, never negative', async () => {
    const rows = await sql<{ countersign_above: string | null }>`select countersign_above from refund_settings`.execute(sdb.db);
    expect(rows.rows).toEqual([{ countersign_above: null }]);
    await expect(sql`insert into refund_settings (id) values (2)`.execute(sdb.db)).rejects.toThrow(/check constraint/);
    await expect(sql`update refund_settings set countersign_above = -1`.execute(sdb.db)).rejects.toThrow(/check constraint/);
  });

  it('keeps one append-only countersignature per request', async () => {
    const sign = (kind: string) =>
      sql`insert into refund_countersigns (requested_by, request_command_id, lot_id, kind, amount, countersigned_by, countersigned_at) values ('lee', 'c1', 'l1', ${kind}, 1000, 'u1', now())`;
    await sign('refund').execute(sdb.db);
    await expect(sign('refund').execute(sdb.db)).rejects.toThrow(/duplicate key/);
    await expect(sql`update refund_countersigns set amount = 1`.execute(sdb.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from refund_countersigns`.execute(sdb.db)).rejects.toThrow(/append-only/);
  });

  it('rolls back to 0006', async () => {
    expect((await migrator().migrateTo('0006_audit_anchors')).error).toBeUndefined();
    const left = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name like 'refund_%'`.execute(sdb.db);
    expect(left.rows[0]!.n).toBe(0);
  });
});
