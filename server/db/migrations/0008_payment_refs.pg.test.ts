import { Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, inject } from 'vitest';
import { createDatabase } from '../../../tests/support/postgres.js';
import { connectServerDb, type ServerDb } from '../connect.js';
import { serverMigrationProvider } from './index.js';

let sdb: ServerDb;
const migrator = () => new Migrator({ db: sdb.db, provider: serverMigrationProvider });
const lot = (id: string, tid: string | null) => sql`
  insert into lots (lot_id, round_id, buyer_id, holder_id, scope, district_code, payment_method, face, paid, discount_bp, purchased_at, month, expires_at, status, payment_provider, payment_tid)
  values (${id}, 'r', 'b', 'b', 'city', '11440', 'bank_transfer', 10000, 9300, 700, '2022-07-14T01:00:00Z', '2022-07', '2027-07-14T01:00:00Z', 'active', ${tid ? 'hecto' : null}, ${tid})`;

beforeEach(async () => {
  sdb = await connectServerDb({ url: await createDatabase(inject('pgUrl')) });
  expect((await migrator().migrateTo('0008_payment_refs')).error).toBeUndefined();
});
afterEach(() => sdb.close());

describe('server migration 0008_payment_refs', () => {
  it('keeps a provider and transaction key per lot, unique per provider, and none for older lots', async () => {
    await lot('l1', 'STFP1').execute(sdb.db);
    await lot('l2', null).execute(sdb.db);
    await lot('l3', null).execute(sdb.db);
    await expect(lot('l4', 'STFP1').execute(sdb.db)).rejects.toThrow(/duplicate key/);
    const rows = await sdb.db.selectFrom('lots').select(['lot_id', 'payment_tid']).orderBy('lot_id').execute();
    expect(rows).toEqual([
      { lot_id: 'l1', payment_tid: 'STFP1' },
      { lot_id: 'l2', payment_tid: null },
      { lot_id: 'l3', payment_tid: null },
    ]);
  });

  it('rolls back to 0006', async () => {
    expect((await migrator().migrateTo('0006_audit_anchors')).error).toBeUndefined();
    const cols = await sql<{ n: number }>`select count(*)::int as n from information_schema.columns where table_name = 'lots' and column_name in ('payment_provider', 'payment_tid')`.execute(sdb.db);
    expect(cols.rows[0]!.n).toBe(0);
  });
});
