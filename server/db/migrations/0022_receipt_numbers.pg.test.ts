import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useMigrationDb } from '../../../tests/support/server-migrations.js';

const mig = useMigrationDb();

const counter = (district: string, day: string, n: number) => sql`insert into receipt_counters (district_code, day, last_no) values (${district}, ${day}, ${n})`;

describe('server migration 0022_receipt_numbers', () => {
  it('keeps one counter per district and Seoul day, with a positive number and well-formed keys, and rolls back', async () => {
    expect((await mig.migrator.migrateTo('0022_receipt_numbers')).error).toBeUndefined();
    await counter('11440', '2026-12-07', 1).execute(mig.sdb.db);
    await counter('11440', '2026-12-08', 1).execute(mig.sdb.db);
    await expect(counter('11440', '2026-12-07', 2).execute(mig.sdb.db)).rejects.toThrow(/receipt_counters_pk/);
    await expect(counter('11440', '2026-12-09', 0).execute(mig.sdb.db)).rejects.toThrow(/check/);
    await expect(counter('mapo', '2026-12-09', 1).execute(mig.sdb.db)).rejects.toThrow(/check/);
    await expect(counter('11440', '20261209', 1).execute(mig.sdb.db)).rejects.toThrow(/check/);
    expect((await mig.migrator.migrateTo('0021_sale_steering')).error).toBeUndefined();
    expect((await sql<{ t: string | null }>`select to_regclass('receipt_counters')::text as t`.execute(mig.sdb.db)).rows[0]!.t).toBeNull();
  });
});
