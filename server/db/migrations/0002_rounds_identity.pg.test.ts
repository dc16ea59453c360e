import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../../../tests/support/postgres.js';
import { spec2022 } from '../../../tests/support/specs.js';
import { connectServerDb, type ServerDb } from '../connect.js';
import { serverMigrationProvider } from './index.js';

let sdb: ServerDb;
const migrator = () => new Migrator({ db: sdb.db, provider: serverMigrationProvider });
const hour = 3_600_000;

beforeAll(async () => {
  sdb = await connectServerDb({ url: await createDatabase(inject('pgUrl')) });
  expect((await migrator().migrateTo('0001_log')).error).toBeUndefined();
});
afterAll(() => sdb.close());

const window = (opensInMs: number, closesInMs: number) => {
  const now = Date.now();
  return JSON.stringify(spec2022({ opensAt: new Date(now + opensInMs).toISOString(), closesAt: new Date(now + closesInMs).toISOString() }));
};

describe('server migration 0002_rounds_identity', () => {
  it('gives rounds published before it the status their window implies, keyed by their latest version', async () => {
    await sql`insert into users (id, username, display_name, password_hash, role) values ('u1', 'kim', 'kim', 'x', 'official'), ('u2', 'lee', 'lee', 'x', 'official')`.execute(sdb.db);
    await sql`insert into published_rounds (round_id, version, spec, seq) values
      ('future', 1, ${window(hour, 2 * hour)}, 1),
      ('selling', 1, ${window(-2 * hour, hour)}, 2),
      ('selling', 2, ${window(-hour, 2 * hour)}, 3),
      ('past', 1, ${window(-3 * hour, -hour)}, 4)`.execute(sdb.db);
    await sql`insert into commands (command_id, user_id, type, request, status, created_at) values ('c1', 'u1', 'approve_refund', '{}', 'accepted', now())`.execute(sdb.db);
    expect((await migrator().migrateTo('0002_rounds_identity')).error).toBeUndefined();
    const rounds = await sdb.db.selectFrom('server_rounds').select(['round_id', 'status', 'version']).orderBy('round_id').execute();
    expect(rounds).toEqual([
      { round_id: 'future', status: 'approved', version: 1 },
      { round_id: 'past', status: 'closed', version: 1 },
      { round_id: 'selling', status: 'on_sale', version: 2 },
    ]);
  });

  it('keys commands by user and id, and holds statuses and proposals to their rules', async () => {
    // Another user may use the same id; the same user may not.
    await sql`insert into commands (command_id, user_id, type, request, status, created_at) values ('c1', 'u2', 'approve_refund', '{}', 'rejected', now())`.execute(sdb.db);
    await expect(sql`insert into commands (command_id, user_id, type, request, status, created_at) values ('c1', 'u2', 'x', '{}', 'accepted', now())`.execute(sdb.db)).rejects.toThrow(/duplicate key/);
    await expect(sql`update server_rounds set status = 'draft' where round_id = 'future'`.execute(sdb.db)).rejects.toThrow(/check constraint/);
    await sql`insert into round_proposals (round_id, version, spec, proposed_by, proposed_at) values ('new', 1, '{}', 'u1', now())`.execute(sdb.db);
    await expect(sql`insert into round_proposals (round_id, version, spec, proposed_by, proposed_at) values ('new', 1, '{}', 'u2', now())`.execute(sdb.db)).rejects.toThrow(/duplicate key/);
    await expect(sql`insert into round_proposals (round_id, version, spec, proposed_by, proposed_at) values ('new', 2, '{}', 'nobody', now())`.execute(sdb.db)).rejects.toThrow(/foreign key/);
  });

  it('rolls back to 0001 once no id is repeated across users', async () => {
    await sql`delete from commands where user_id = 'u2'`.execute(sdb.db);
    expect((await migrator().migrateTo('0001_log')).error).toBeUndefined();
    const tables = await sql<{ t: string }>`select table_name as t from information_schema.tables where table_name in ('server_rounds', 'round_proposals')`.execute(sdb.db);
    expect(tables.rows).toEqual([]);
    await expect(sql`insert into commands (command_id, user_id, type, request, status, created_at) values ('c1', 'u2', 'x', '{}', 'accepted', now())`.execute(sdb.db)).rejects.toThrow(/duplicate key/);
  });
});
