import { sql, type Kysely } from 'kysely';

/**
 * The server's live-sale steering as every console reads it after sync: each
 * `sale_steered` event of the log, with its text and hash so the chain is kept.
 * `added_stock` is the round's stock added during the sale after this change,
 * which the applier counts when it checks synced purchases against the stock.
 * Append-only, except for a sync repair, as the other synced log tables.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sale_steering_events')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('round_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('pause', 'resume', 'settings', 'add_stock', 'stop')`))
    .addColumn('added_stock', 'integer', (c) => c.notNull().check(sql`added_stock >= 0`))
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('proposed_by', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sale_steering_events_round').on('sale_steering_events').columns(['round_id', 'seq']).execute();
  await sql`create trigger sale_steering_events_no_update before update on sale_steering_events begin select raise(abort, 'sale_steering_events is append-only'); end`.execute(db);
  await sql`create trigger sale_steering_events_no_delete before delete on sale_steering_events when not exists (select 1 from sync_repair) begin select raise(abort, 'sale_steering_events is append-only'); end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sale_steering_events').execute();
}
