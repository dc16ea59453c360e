import { sql, type Kysely } from 'kysely';

/**
 * Payment references are found through `pay_keys` (key, seq) instead of the
 * index `ledger_events_pay_tid` on (provider, transaction key). The keys are
 * random strings, so each commit of a steady sync inserted into nearly every
 * leaf of that index and wrote them all again: about half the bytes a synced
 * event cost (issue 21). A row here is two small integers, the key a 32-bit
 * hash of provider and transaction key (db/pay-keys.ts, bound as the SQL
 * function `pay_key` for this fill), so the tree is a third as long; every
 * lookup checks the event's own columns after it (PAY_KEY_MATCH). Filled here
 * from the events already held, in key order; then by whoever writes
 * ledger_events (the sync applier, a slice at a time in key order). Append-only
 * like the log it points into. The query plans are held by this migration's test.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table pay_keys (key integer not null, seq integer not null, primary key (key, seq)) without rowid`.execute(db);
  await sql`insert into pay_keys (key, seq) select pay_key(pay_provider, pay_tid), seq from ledger_events where pay_tid is not null order by 1, 2`.execute(db);
  await sql`create trigger pay_keys_no_update before update on pay_keys begin select raise(abort, 'pay_keys is append-only'); end`.execute(db);
  await sql`create trigger pay_keys_no_delete before delete on pay_keys when not exists (select 1 from sync_repair) begin select raise(abort, 'pay_keys is append-only'); end`.execute(db);
  await sql`drop index ledger_events_pay_tid`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('ledger_events_pay_tid').on('ledger_events').columns(['pay_provider', 'pay_tid']).where(sql.ref('pay_tid'), 'is not', null).execute();
  await sql`drop trigger pay_keys_no_delete`.execute(db);
  await sql`drop trigger pay_keys_no_update`.execute(db);
  await sql`drop table pay_keys`.execute(db);
}
