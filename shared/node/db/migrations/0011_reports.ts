import { sql, type Kysely } from 'kysely';

/** Seoul hour of an event (`YYYY-MM-DD HH`): Korea has kept UTC+9 without daylight saving since 1988. */
const SEOUL_HOUR = `strftime('%Y-%m-%d %H', new.occurred_at, '+9 hours')`;

/**
 * Reports: saved report definitions, and `report_facts`, the ledger summed by
 * round × Seoul hour × district × payment method × lot face × event type.
 * Triggers on ledger_events keep it current on every path that writes the
 * ledger (sync pages, local appends, a repair cutting the log back), so a
 * grouped report reads a few thousand rows instead of a million events.
 * `retired` is the face a cancellation or refund takes out of circulation
 * (face − used of the lot at that moment), for the remaining balance.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('saved_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('saved_reports_name').on('saved_reports').column('name').unique().execute();

  await db.schema
    .createTable('report_facts')
    .addColumn('round_id', 'text', (c) => c.notNull())
    .addColumn('hour', 'text', (c) => c.notNull())
    .addColumn('district_code', 'text', (c) => c.notNull())
    .addColumn('payment_method', 'text', (c) => c.notNull())
    .addColumn('face', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('paid', 'integer', (c) => c.notNull())
    .addColumn('retired', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_facts_pk', ['round_id', 'hour', 'district_code', 'payment_method', 'face', 'type'])
    .execute();

  // The lot row is written before its event on every path, so the trigger finds it.
  await sql
    .raw(
      `create trigger report_facts_insert after insert on ledger_events begin
         insert into report_facts (round_id, hour, district_code, payment_method, face, type, n, amount, paid, retired)
         select new.round_id, ${SEOUL_HOUR}, new.district_code, new.payment_method, l.face, new.type, 1, new.amount,
                case when new.type = 'purchase' then l.paid else 0 end,
                case when new.type in ('cancel', 'refund') then l.face - l.used else 0 end
         from lots l where l.lot_id = new.lot_id
         on conflict (round_id, hour, district_code, payment_method, face, type) do update set
           n = n + excluded.n, amount = amount + excluded.amount, paid = paid + excluded.paid, retired = retired + excluded.retired;
       end`,
    )
    .execute(db);
  // Only a repair deletes events, before it rebuilds the lots; after a cancellation or refund nothing is used, so face − used is still what it retired.
  await sql
    .raw(
      `create trigger report_facts_delete after delete on ledger_events begin
         update report_facts set n = n - 1, amount = amount - old.amount,
           paid = paid - coalesce((select case when old.type = 'purchase' then l.paid else 0 end from lots l where l.lot_id = old.lot_id), 0),
           retired = retired - coalesce((select case when old.type in ('cancel', 'refund') then l.face - l.used else 0 end from lots l where l.lot_id = old.lot_id), 0)
         where round_id = old.round_id and hour = ${SEOUL_HOUR.replace('new.', 'old.')} and district_code = old.district_code
           and payment_method = old.payment_method and type = old.type
           and face = (select face from lots l where l.lot_id = old.lot_id);
       end`,
    )
    .execute(db);

  // Ledgers synced before this migration: summed once from the events and their lots.
  await sql`
    insert into report_facts (round_id, hour, district_code, payment_method, face, type, n, amount, paid, retired)
    select e.round_id, strftime('%Y-%m-%d %H', e.occurred_at, '+9 hours'), e.district_code, e.payment_method, l.face, e.type, count(*), sum(e.amount),
           sum(case when e.type = 'purchase' then l.paid else 0 end),
           sum(case when e.type in ('cancel', 'refund') then l.face - l.used else 0 end)
    from ledger_events e join lots l on l.lot_id = e.lot_id
    group by 1, 2, 3, 4, 5, 6`.execute(db);
  // Distinct buyers come from the lots: this index answers them without reading the rows.
  await db.schema.createIndex('lots_report').on('lots').columns(['round_id', 'district_code', 'purchased_at', 'buyer_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('lots_report').execute();
  await sql`drop trigger report_facts_delete`.execute(db);
  await sql`drop trigger report_facts_insert`.execute(db);
  await db.schema.dropTable('report_facts').execute();
  await db.schema.dropTable('saved_reports').execute();
}
