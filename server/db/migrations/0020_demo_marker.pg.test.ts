import { Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, inject } from 'vitest';
import { createDatabase } from '../../../tests/support/postgres.js';
import { connectServerDb, type ServerDb } from '../connect.js';
import { serverMigrationProvider } from './index.js';

let sdb: ServerDb;
const migrator = () => new Migrator({ db: sdb.db, provider: serverMigrationProvider });

beforeEach(async () => {
  sdb = await connectServerDb({ url: await createDatabase(inject('pgUrl')) });
  expect((await migrator().migrateTo('0020_demo_marker')).error).toBeUndefined();
});
afterEach(() => sdb.close());

const mark = (id: number) => sql`insert into demo_marker (id, scale, seed, created_at, manifest) values (${id}, 'small', 1, now(), '{}')`;

describe('server migration 0020_demo_marker', () => {
  it('holds one mark at most', async () => {
    await mark(1).execute(sdb.db);
    await expect(mark(1).execute(sdb.db)).rejects.toThrow(/duplicate key/);
    await expect(mark(2).execute(sdb.db)).rejects.toThrow(/check constraint/);
  });

  it('rolls back to 0013', async () => {
    expect((await migrator().migrateTo('0013_settlement_files')).error).toBeUndefined();
    const left = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name = 'demo_marker'`.execute(sdb.db);
    expect(left.rows[0]!.n).toBe(0);
  });
});
