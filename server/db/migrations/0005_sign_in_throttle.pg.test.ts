import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useMigrationDb } from '../../../tests/support/server-migrations.js';

const mig = useMigrationDb();

describe('server migration 0005_sign_in_throttle', () => {
  it('adds one counter row per key with a non-negative count, and rolls back cleanly', async () => {
    expect((await mig.migrator.migrateTo('0005_sign_in_throttle')).error).toBeUndefined();
    await mig.sdb.db.insertInto('sign_in_attempts').values({ key: 'u:kim', count: 1, locked_until: null, last_at: new Date() }).execute();
    await expect(mig.sdb.db.insertInto('sign_in_attempts').values({ key: 'u:kim', count: 1, locked_until: null, last_at: new Date() }).execute()).rejects.toThrow(/duplicate key/);
    await expect(mig.sdb.db.insertInto('sign_in_attempts').values({ key: 'u:lee', count: -1, locked_until: null, last_at: new Date() }).execute()).rejects.toThrow(/check/);
    expect((await mig.migrator.migrateDown()).error).toBeUndefined();
    const t = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name = 'sign_in_attempts'`.execute(mig.sdb.db);
    expect(t.rows[0]!.n).toBe(0);
  });
});
