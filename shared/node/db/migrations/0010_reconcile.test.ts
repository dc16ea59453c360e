import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settlementProfileSchema } from '../../../reconcile/profile.js';
import { migrateTo, migrateToLatest, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(() => {
  l = openDatabase(':memory:');
});
afterEach(() => l.close());

const v1 = { type: 'purchase', eventId: 'e1', roundId: 'r', lotId: 'l1', at: '2022-07-14T01:00:00.000Z', buyerId: 'b', districtCode: '11440', face: 10_000, paid: 9_300, paymentMethod: 'bank_transfer' };
const v2 = { ...v1, eventId: 'e2', lotId: 'l2', payment: { provider: 'hecto', tid: 'STFP1', approvalNo: '12345678', approvedAt: '2022-07-14T10:00:00+09:00' } };
const insert = (ev: typeof v1, seq: number) =>
  sql`insert into ledger_events (seq, event_id, type, round_id, lot_id, district_code, amount, payment_method, occurred_at, payload, hash)
      values (${seq}, ${ev.eventId}, 'purchase', 'r', ${ev.lotId}, '11440', 10000, 'bank_transfer', ${ev.at}, ${JSON.stringify(ev)}, 'h')`;

describe('migration 0010_reconcile', () => {
  it('fills payment columns of events synced before it from their JSON, and keeps the table append-only', async () => {
    await migrateTo(l.db, '0008_audit_anchor');
    await insert(v1, 1).execute(l.db);
    await insert(v2, 2).execute(l.db);
    // This migration's own index; 0044 finds payment keys another way (its test holds those plans).
    await migrateTo(l.db, '0010_reconcile');
    const rows = await l.db.selectFrom('ledger_events').select(['event_id', 'pay_provider', 'pay_tid', 'pay_approval_no', 'pay_approved_at', 'pay_amount']).orderBy('seq').execute();
    expect(rows).toEqual([
      { event_id: 'e1', pay_provider: null, pay_tid: null, pay_approval_no: null, pay_approved_at: null, pay_amount: null },
      { event_id: 'e2', pay_provider: 'hecto', pay_tid: 'STFP1', pay_approval_no: '12345678', pay_approved_at: '2022-07-14T01:00:00.000Z', pay_amount: 9_300 },
    ]);
    await expect(sql`update ledger_events set pay_tid = 'x'`.execute(l.db)).rejects.toThrow(/append-only/);
    const plan = await sql<{ detail: string }>`explain query plan select seq from ledger_events where pay_provider = 'hecto' and pay_tid = 'STFP1'`.execute(l.db);
    expect(plan.rows.map((r) => r.detail).join()).toMatch(/ledger_events_pay_tid/);
  });

  it('seeds the three column-mapping profiles, valid, and keeps an imported file once by its hash', async () => {
    await migrateToLatest(l.db);
    const profiles = await l.db.selectFrom('settlement_profiles').selectAll().orderBy('id').execute();
    expect(profiles.map((p) => p.id)).toEqual(['hecto-pipe', 'kicc-fixed', 'toss-csv']);
    for (const p of profiles) expect(settlementProfileSchema.safeParse(JSON.parse(p.spec)).success).toBe(true);
    const imp = (id: string) =>
      sql`insert into settlement_imports (id, sha256, profile_id, provider, file_name, encoding, day, row_count, imported_by, imported_at) values (${id}, 'abc', 'hecto-pipe', 'hecto', 'f', 'utf-8', '2022-07-14', 0, 'u', 'now')`;
    await imp('i1').execute(l.db);
    await expect(imp('i2').execute(l.db)).rejects.toThrow(/UNIQUE/);
    await expect(sql`insert into reconcile_exceptions (import_id, provider, day, class) values ('i1', 'hecto', '2022-07-14', 'whatever')`.execute(l.db)).rejects.toThrow(/CHECK/);
    await sql`insert into reconcile_day_log (day, provider, action, by, at) values ('2022-07-14', 'hecto', 'lock', 'u', 'now')`.execute(l.db);
    await expect(sql`delete from reconcile_day_log`.execute(l.db)).rejects.toThrow(/append-only/);
  });

  it('rolls back to 0008', async () => {
    await migrateToLatest(l.db);
    await migrateTo(l.db, '0008_audit_anchor');
    const left = await sql<{ name: string }>`select name from sqlite_master where name like 'settlement_%' or name like 'reconcile_%'`.execute(l.db);
    expect(left.rows).toEqual([]);
    const cols = await sql<{ name: string }>`select name from pragma_table_info('ledger_events') where name in ('pay_provider', 'pay_tid', 'pay_amount')`.execute(l.db);
    expect(cols.rows).toEqual([]);
  });
});
