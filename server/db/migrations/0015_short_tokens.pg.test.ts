import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useMigrationDb } from '../../../tests/support/server-migrations.js';

const mig = useMigrationDb();

const hoursLeft = async (hash: string) =>
  Number((await sql<{ h: number }>`select extract(epoch from (expires_at - now())) / 3600 as h from sessions where token_hash = ${hash}`.execute(mig.sdb.db)).rows[0]!.h);

describe('server migration 0015_short_tokens', () => {
  it('cuts a month-long token to 12 hours and leaves a shorter one alone', async () => {
    expect((await mig.migrator.migrateTo('0014_buyer_directory')).error).toBeUndefined();
    await sql`insert into users (id, username, display_name, password_hash, role, district_code, disabled) values ('u1', 'kim', '김', 'x', 'official', null, false)`.execute(mig.sdb.db);
    await sql`insert into sessions (token_hash, user_id, created_at, expires_at) values ('month', 'u1', now(), now() + interval '30 days'), ('hour', 'u1', now(), now() + interval '1 hour')`.execute(mig.sdb.db);
    expect((await mig.migrator.migrateTo('0015_short_tokens')).error).toBeUndefined();
    // 12 hours by the theory of the change, less the seconds the migration took.
    expect(await hoursLeft('month')).toBeGreaterThan(11.9);
    expect(await hoursLeft('month')).toBeLessThanOrEqual(12);
    expect(await hoursLeft('hour')).toBeLessThanOrEqual(1);
    expect(await hoursLeft('hour')).toBeGreaterThan(0.9);
    expect((await mig.migrator.migrateDown()).error).toBeUndefined();
  });
});
