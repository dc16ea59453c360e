import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useMigrationDb } from '../../../tests/support/server-migrations.js';

const mig = useMigrationDb();

const sign = (by: string, amount: number, ref = 'L3') =>
  sql`insert into adjustment_countersigns (requested_by, request_command_id, file_digest, exception_ref, amount, countersigned_by, countersigned_at) values ('kim', 'b1', ${'a'.repeat(64)}, ${ref}, ${amount}, ${by}, now())`;

describe('server migration 0027_adjustment_countersigns_each', () => {
  it('keeps one row per colleague and content, refuses the same one twice, stays append-only', async () => {
    expect((await mig.migrator.migrateTo('0022_receipt_numbers')).error).toBeUndefined();
    await sql`insert into users (id, username, display_name, password_hash, role, district_code, disabled) values ('u1', 'lee', 'l', 'x', 'official', null, false), ('u2', 'park', 'p', 'x', 'official', null, false)`.execute(mig.sdb.db);
    // Before: a wrong countersignature (another amount) takes the booking's only place.
    await sign('u1', -250_000_001).execute(mig.sdb.db);
    await expect(sign('u2', -250_000_000).execute(mig.sdb.db)).rejects.toThrow(/adjustment_countersigns_pk/);
    expect((await mig.migrator.migrateTo('0027_adjustment_countersigns_each')).error).toBeUndefined();
    await sign('u2', -250_000_000).execute(mig.sdb.db);
    await sign('u1', -250_000_000, 'L7').execute(mig.sdb.db);
    await expect(sign('u2', -250_000_000).execute(mig.sdb.db)).rejects.toThrow(/adjustment_countersigns_pk/);
    await expect(sql`delete from adjustment_countersigns`.execute(mig.sdb.db)).rejects.toThrow(/append-only/);
    expect((await sql<{ n: number }>`select count(*)::int as n from adjustment_countersigns`.execute(mig.sdb.db)).rows[0]!.n).toBe(3);
  });

  it('rolls back to one row per booking when none has two', async () => {
    expect((await mig.migrator.migrateTo('0027_adjustment_countersigns_each')).error).toBeUndefined();
    expect((await mig.migrator.migrateTo('0022_receipt_numbers')).error).toBeUndefined();
  });
});
