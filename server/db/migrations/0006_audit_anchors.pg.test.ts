import { Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, inject } from 'vitest';
import { createDatabase } from '../../../tests/support/postgres.js';
import { connectServerDb, type ServerDb } from '../connect.js';
import { serverMigrationProvider } from './index.js';

let sdb: ServerDb;
const migrator = () => new Migrator({ db: sdb.db, provider: serverMigrationProvider });

beforeEach(async () => {
  sdb = await connectServerDb({ url: await createDatabase(inject('pgUrl')) });
  expect((await migrator().migrateTo('0006_audit_anchors')).error).toBeUndefined();
  await sql`insert into users (id, username, display_name, password_hash, role) values ('u1', 'kim', 'kim', 'x', 'official')`.execute(sdb.db);
  await sql`insert into audit_consoles (console_id, first_seen_at, first_user_id) values ('c1', now(), 'u1')`.execute(sdb.db);
});
afterEach(() => sdb.close());

describe('server migration 0006_audit_anchors', () => {
  it('keeps anchors append-only and one per console and seq', async () => {
    await sql`insert into audit_anchors (console_id, seq, hash, received_at, user_id) values ('c1', 1, 'h', now(), 'u1')`.execute(sdb.db);
    await expect(sql`insert into audit_anchors (console_id, seq, hash, received_at, user_id) values ('c1', 1, 'h2', now(), 'u1')`.execute(sdb.db)).rejects.toThrow(/duplicate key/);
    await expect(sql`update audit_anchors set hash = 'x'`.execute(sdb.db)).rejects.toThrow(/audit_anchors is append-only/);
    await expect(sql`delete from audit_anchors`.execute(sdb.db)).rejects.toThrow(/audit_anchors is append-only/);
    await expect(sql`insert into audit_anchors (console_id, seq, hash, received_at, user_id) values ('c1', 0, 'h', now(), 'u1')`.execute(sdb.db)).rejects.toThrow(/check constraint/);
    await expect(sql`insert into audit_anchors (console_id, seq, hash, received_at, user_id) values ('no-such-console', 2, 'h', now(), 'u1')`.execute(sdb.db)).rejects.toThrow(/foreign key/);
  });

  it('keeps refusals append-only with a known reason', async () => {
    const conflict = (reason: string) =>
      sql`insert into audit_anchor_conflicts (console_id, seq, hash, received_at, user_id, reason, held_seq, held_hash, held_at) values ('c1', 1, 'h', now(), 'u1', ${reason}, 2, 'g', now())`;
    await conflict('backwards').execute(sdb.db);
    await expect(conflict('whatever').execute(sdb.db)).rejects.toThrow(/check constraint/);
    await expect(sql`delete from audit_anchor_conflicts`.execute(sdb.db)).rejects.toThrow(/append-only/);
  });

  it('rolls back to 0001', async () => {
    expect((await migrator().migrateTo('0001_log')).error).toBeUndefined();
    const left = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name like 'audit_%'`.execute(sdb.db);
    expect(left.rows[0]!.n).toBe(0);
  });
});
