import { sql, type Kysely } from 'kysely';
import { createSummaries, dropSummaries } from './0011_reports.js';

const SUMS = 'n integer not null, amount integer not null, paid integer not null, retired integer not null';

/**
 * Report summaries kept per sync page instead of per event row (see
 * shared/node/reports/report-facts.ts), and two more of them so that every
 * grouped report, distinct buyers included, reads a few tens of thousands of
 * rows: the events' every key at once (`report_facts_cell`), and per cell the
 * numbers of its buyers (`report_buyer_cells`, numbered in `report_buyers`).
 * The hour × denomination table gains the payment method, to filter on.
 * The 0011 triggers go, and the lots index distinct buyers read (each costs
 * every sync); the summaries are summed again from the ledger.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await dropSummaries(db);
  await sql.raw(`create table report_facts_day (round_id text not null, day text not null, district_code text not null, payment_method text not null, face integer not null, type text not null, ${SUMS},
    primary key (round_id, day, district_code, payment_method, face, type)) without rowid`).execute(db);
  await sql.raw(`create table report_facts_hour (round_id text not null, hour text not null, district_code text not null, payment_method text not null, type text not null, ${SUMS},
    primary key (round_id, hour, district_code, payment_method, type)) without rowid`).execute(db);
  await sql.raw(`create table report_facts_hour_face (round_id text not null, hour text not null, face integer not null, payment_method text not null, type text not null, ${SUMS},
    primary key (round_id, hour, face, payment_method, type)) without rowid`).execute(db);
  // District first: it is only read for reports narrowed to districts.
  await sql.raw(`create table report_facts_cell (district_code text not null, round_id text not null, hour text not null, face integer not null, payment_method text not null, type text not null, ${SUMS},
    primary key (district_code, round_id, hour, face, payment_method, type)) without rowid`).execute(db);
  await sql.raw('create table report_buyers (no integer primary key, buyer_id text not null unique)').execute(db);
  await sql.raw(`create table report_buyer_cells (round_id text not null, hour text not null, district_code text not null, payment_method text not null, face integer not null, buyers blob not null, updated_seq integer not null,
    primary key (round_id, hour, district_code, payment_method, face)) without rowid`).execute(db);
  await sql.raw('create index report_buyer_cells_updated on report_buyer_cells (updated_seq)').execute(db);
  await sql.raw('create table report_facts_state (id integer primary key check (id = 1), last_seq integer not null, generation integer not null)').execute(db);
  await sql.raw('insert into report_facts_state (id, last_seq, generation) values (1, 0, 0)').execute(db);
  // Nothing summed yet (last_seq 0): the events synced before this migration are summed by the reports'
  // catch-up, which the backend runs after migrating (backend/hooks.ts) and every applied page runs anyway.
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['report_facts_state', 'report_buyer_cells', 'report_buyers', 'report_facts_cell', 'report_facts_hour_face', 'report_facts_hour', 'report_facts_day']) {
    await db.schema.dropTable(t).execute();
  }
  await createSummaries(db);
}
