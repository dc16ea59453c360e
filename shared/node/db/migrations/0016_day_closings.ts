import { sql, type Kysely } from 'kysely';

/**
 * The server's `day_closing` events kept verbatim: a district's Seoul day
 * closed or reopened at the counter, on the server, by whichever console. They
 * share the log's sequence with the other synced events and are append-only
 * like them (a repair may cut them back). The counter reads the latest per
 * district and day, so a day closed elsewhere is closed here before the clerk
 * starts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('day_closing_events')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('district_code', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('closed', 'integer', (c) => c.notNull().check(sql`closed in (0, 1)`))
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('day_closing_events_day').on('day_closing_events').columns(['district_code', 'day', 'seq']).execute();
  await sql`create trigger day_closing_events_no_update before update on day_closing_events begin select raise(abort, 'day_closing_events is append-only'); end`.execute(db);
  await sql`create trigger day_closing_events_no_delete before delete on day_closing_events when not exists (select 1 from sync_repair) begin select raise(abort, 'day_closing_events is append-only'); end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger day_closing_events_no_delete`.execute(db);
  await sql`drop trigger day_closing_events_no_update`.execute(db);
  await db.schema.dropTable('day_closing_events').execute();
}
