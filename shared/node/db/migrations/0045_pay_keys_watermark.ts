import { sql, type Kysely } from 'kysely';

/**
 * `pay_keys_state.last_seq`: every event up to it has its payment key in
 * pay_keys; those after it may not yet. The sync applier holds a page's keys
 * across its slices and writes them once at the page's end (each commit of a
 * slice otherwise rewrote nearly every leaf of the hash-ordered pay_keys: a
 * quarter of the pages a steady sync wrote, issue 21), moving this mark in the
 * same transaction; a lookup also reads the events after it (PAY_KEY_MATCH),
 * and after a stop mid-page the keys after it are gathered again from the log.
 * Every event held now has its key (0044 filled them, the applier wrote each slice's).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table pay_keys_state (id integer primary key check (id = 1), last_seq integer not null)`.execute(db);
  await sql`insert into pay_keys_state (id, last_seq) select 1, coalesce(max(seq), 0) from ledger_events`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // Back to a key per event written with it: the ones held back are written now.
  await sql`insert or ignore into pay_keys (key, seq) select pay_key(pay_provider, pay_tid), seq from ledger_events
    where pay_tid is not null and seq > (select last_seq from pay_keys_state) order by 1, 2`.execute(db);
  await sql`drop table pay_keys_state`.execute(db);
}
