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

describe('server migration 0005_sign_in_throttle', () => {
  it('adds one counter row per key with a non-negative count, and rolls back cleanly', async () => {
    expect((await migrator.migrateTo('0005_sign_in_throttle')).error).toBeUndefined();
    await sdb.db.insertInto('sign_in_attempts').values({ key: 'u:kim', count: 1, locked_until: null, last_at: new Date() }).execute();
    await expect(sdb.db.insertInto('sign_in_attempts').values({ key: 'u:kim', count: 1, locked_until: null, last_at: new Date() }).execute()).rejects.toThrow(/duplicate key/);
    await expect(sdb.db.insertInto('sign_in_attempts').values({ key: 'u:lee', count: -1, locked_until: null, last_at: new Date() }).execute()).rejects.toThrow(/check/);
    expect((await migrator.migrateDown()).error).toBeUndefined();
    const t = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name = 'sign_in_attempts'`.execute(sdb.db);
    expect(t.rows[0]!.n).toBe(0);
  });
});
