import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useMigrationDb } from '../../../tests/support/server-migrations.js';

const mig = useMigrationDb();

const sign = (by: string, amount: number) =>
  sql`insert into refund_countersigns (requested_by, request_command_id, lot_id, kind, amount, countersigned_by, countersigned_at) values ('mapo', 'c1', 'lot1', 'cancel', ${amount}, ${by}, now())`;

describe('server migration 0016_countersigns_each', () => {
  it('keeps one row per colleague and content, refuses the same one twice, stays append-only, and rolls back', async () => {
    expect((await mig.migrator.migrateTo('0015_short_tokens')).error).toBeUndefined();
    await sql`insert into users (id, username, display_name, password_hash, role, district_code, disabled) values ('u1', 'mapo2', 'm', 'x', 'clerk', '11440', false), ('u2', 'kim', 'k', 'x', 'official', null, false)`.execute(mig.sdb.db);
    await sign('u1', 9_990).execute(mig.sdb.db);
    await expect(sign('u2', 10_000).execute(mig.sdb.db)).rejects.toThrow(/refund_countersigns_pk/);
    expect((await mig.migrator.migrateTo('0016_countersigns_each')).error).toBeUndefined();
    await sign('u2', 10_000).execute(mig.sdb.db);
    await sign('u1', 10_000).execute(mig.sdb.db);
    await expect(sign('u2', 10_000).execute(mig.sdb.db)).rejects.toThrow(/refund_countersigns_pk/);
    await expect(sql`delete from refund_countersigns`.execute(mig.sdb.db)).rejects.toThrow(/append-only/);
    expect((await sql<{ n: number }>`select count(*)::int as n from refund_countersigns`.execute(mig.sdb.db)).rows[0]!.n).toBe(3);
  });

  it('rolls back to one row per request when none has two', async () => {
    expect((await mig.migrator.migrateTo('0016_countersigns_each')).error).toBeUndefined();
    expect((await mig.migrator.migrateTo('0015_short_tokens')).error).toBeUndefined();
  });
});
