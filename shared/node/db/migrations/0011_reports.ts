import { sql, type Kysely } from 'kysely';

/** Korea has kept UTC+9 without daylight saving since 1988, so Seoul time is the UTC text shifted nine hours. */
const seoul = (format: string, column: string) => `strftime('${format}', ${column}, '+9 hours')`;
const SUMS = 'n integer not null, amount integer not null, paid integer not null, retired integer not null';
const UPSERT = 'do update set n = n + excluded.n, amount = amount + excluded.amount, paid = paid + excluded.paid, retired = retired + excluded.retired';
const PAID = (e: string) => `case when ${e}.type = 'purchase' then l.paid else 0 end`;
const RETIRED = (e: string) => `case when ${e}.type in ('cancel', 'refund') then l.face - l.used else 0 end`;

/**
 * Reports: saved report definitions, and the ledger summed at sync in two
 * small tables that grouped reports read instead of a million events:
 * - `report_facts_day`: round × Seoul day × district × payment method × lot face × event type;
 * - `report_facts_hour`: round × Seoul hour × district × payment method × event type;
 * - `report_facts_hour_face`: round × Seoul hour × lot face × event type (hour × denomination city-wide).
 * Triggers on ledger_events keep both current on every path that writes the
 * ledger (sync pages, local appends, a repair cutting the log back).
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
  await createSummaries(db);
}

/** The summaries, their triggers and the lots index, as this migration made them (0013 replaces them; its down restores them). */
export async function createSummaries(db: Kysely<any>): Promise<void> {
  await sql.raw(`create table report_facts_day (round_id text not null, day text not null, district_code text not null, payment_method text not null, face integer not null, type text not null, ${SUMS},
    primary key (round_id, day, district_code, payment_method, face, type)) without rowid`).execute(db);
  await sql.raw(`create table report_facts_hour (round_id text not null, hour text not null, district_code text not null, payment_method text not null, type text not null, ${SUMS},
    primary key (round_id, hour, district_code, payment_method, type)) without rowid`).execute(db);
  await sql.raw(`create table report_facts_hour_face (round_id text not null, hour text not null, face integer not null, type text not null, ${SUMS},
    primary key (round_id, hour, face, type)) without rowid`).execute(db);

  // The lot row is written before its event on every path, so the trigger finds it.
  await sql
    .raw(
      `create trigger report_facts_insert after insert on ledger_events begin
         insert into report_facts_day (round_id, day, district_code, payment_method, face, type, n, amount, paid, retired)
         select new.round_id, ${seoul('%Y-%m-%d', 'new.occurred_at')}, new.district_code, new.payment_method, l.face, new.type, 1, new.amount, ${PAID('new')}, ${RETIRED('new')}
         from lots l where l.lot_id = new.lot_id
         on conflict (round_id, day, district_code, payment_method, face, type) ${UPSERT};
         insert into report_facts_hour (round_id, hour, district_code, payment_method, type, n, amount, paid, retired)
         select new.round_id, ${seoul('%Y-%m-%d %H', 'new.occurred_at')}, new.district_code, new.payment_method, new.type, 1, new.amount, ${PAID('new')}, ${RETIRED('new')}
         from lots l where l.lot_id = new.lot_id
         on conflict (round_id, hour, district_code, payment_method, type) ${UPSERT};
         insert into report_facts_hour_face (round_id, hour, face, type, n, amount, paid, retired)
         select new.round_id, ${seoul('%Y-%m-%d %H', 'new.occurred_at')}, l.face, new.type, 1, new.amount, ${PAID('new')}, ${RETIRED('new')}
         from lots l where l.lot_id = new.lot_id
         on conflict (round_id, hour, face, type) ${UPSERT};
       end`,
    )
    .execute(db);
  // Only a repair deletes events, before it rebuilds the lots; after a cancellation or refund nothing is used, so face − used is still what it retired.
  await sql
    .raw(
      `create trigger report_facts_delete after delete on ledger_events begin
         update report_facts_day set n = n - 1, amount = amount - old.amount,
           paid = paid - coalesce((select ${PAID('old')} from lots l where l.lot_id = old.lot_id), 0),
           retired = retired - coalesce((select ${RETIRED('old')} from lots l where l.lot_id = old.lot_id), 0)
         where round_id = old.round_id and day = ${seoul('%Y-%m-%d', 'old.occurred_at')} and district_code = old.district_code
           and payment_method = old.payment_method and type = old.type and face = (select face from lots l where l.lot_id = old.lot_id);
         update report_facts_hour set n = n - 1, amount = amount - old.amount,
           paid = paid - coalesce((select ${PAID('old')} from lots l where l.lot_id = old.lot_id), 0),
           retired = retired - coalesce((select ${RETIRED('old')} from lots l where l.lot_id = old.lot_id), 0)
         where round_id = old.round_id and hour = ${seoul('%Y-%m-%d %H', 'old.occurred_at')} and district_code = old.district_code
           and payment_method = old.payment_method and type = old.type;
         update report_facts_hour_face set n = n - 1, amount = amount - old.amount,
           paid = paid - coalesce((select ${PAID('old')} from lots l where l.lot_id = old.lot_id), 0),
           retired = retired - coalesce((select ${RETIRED('old')} from lots l where l.lot_id = old.lot_id), 0)
         where round_id = old.round_id and hour = ${seoul('%Y-%m-%d %H', 'old.occurred_at')} and type = old.type
           and face = (select face from lots l where l.lot_id = old.lot_id);
       end`,
    )
    .execute(db);

  // Ledgers synced before this migration: summed once from the events and their lots.
  await sql
    .raw(
      `insert into report_facts_day (round_id, day, district_code, payment_method, face, type, n, amount, paid, retired)
       select e.round_id, ${seoul('%Y-%m-%d', 'e.occurred_at')}, e.district_code, e.payment_method, l.face, e.type, count(*), sum(e.amount), sum(${PAID('e')}), sum(${RETIRED('e')})
       from ledger_events e join lots l on l.lot_id = e.lot_id group by 1, 2, 3, 4, 5, 6`,
    )
    .execute(db);
  await sql
    .raw(
      `insert into report_facts_hour (round_id, hour, district_code, payment_method, type, n, amount, paid, retired)
       select e.round_id, ${seoul('%Y-%m-%d %H', 'e.occurred_at')}, e.district_code, e.payment_method, e.type, count(*), sum(e.amount), sum(${PAID('e')}), sum(${RETIRED('e')})
       from ledger_events e join lots l on l.lot_id = e.lot_id group by 1, 2, 3, 4, 5`,
    )
    .execute(db);
  await sql
    .raw(
      `insert into report_facts_hour_face (round_id, hour, face, type, n, amount, paid, retired)
       select e.round_id, ${seoul('%Y-%m-%d %H', 'e.occurred_at')}, l.face, e.type, count(*), sum(e.amount), sum(${PAID('e')}), sum(${RETIRED('e')})
       from ledger_events e join lots l on l.lot_id = e.lot_id group by 1, 2, 3, 4`,
    )
    .execute(db);
  // Distinct buyers come from the lots: this index answers them without reading the rows.
  await db.schema.createIndex('lots_report').on('lots').columns(['round_id', 'district_code', 'purchased_at', 'buyer_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropSummaries(db);
  await db.schema.dropTable('saved_reports').execute();
}

export async function dropSummaries(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('lots_report').execute();
  await sql`drop trigger report_facts_delete`.execute(db);
  await sql`drop trigger report_facts_insert`.execute(db);
  await db.schema.dropTable('report_facts_hour_face').execute();
  await db.schema.dropTable('report_facts_hour').execute();
  await db.schema.dropTable('report_facts_day').execute();
}
