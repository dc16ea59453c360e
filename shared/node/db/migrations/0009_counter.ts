import { sql, type Kysely } from 'kysely';

/**
 * The refund counter (환불·취소 창구). A counter request is what the clerk
 * confirmed: the working as quoted, the reason, the payout account (sealed,
 * with a masked copy for the screen and the receipt) and its receipt number.
 * Whether the server has it, accepted or rejected it, comes from the outbox
 * row of the same command id; this table keeps what only the counter knows:
 * waiting for a second person, withdrawn. Closings record a clerk's or a
 * district's day as closed; a reopening by an official is a new column on the
 * same row, never a deletion, so the history stays.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('counter_requests')
    .addColumn('command_id', 'text', (c) => c.primaryKey())
    .addColumn('receipt_no', 'text', (c) => c.notNull().unique())
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('round_id', 'text', (c) => c.notNull())
    .addColumn('district_code', 'text', (c) => c.notNull())
    .addColumn('buyer_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('cancel', 'refund')`))
    .addColumn('amount', 'integer', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('working', 'text', (c) => c.notNull())
    .addColumn('reason_code', 'text', (c) => c.notNull())
    .addColumn('reason_text', 'text', (c) => c.notNull())
    .addColumn('account_sealed', 'text')
    .addColumn('account_masked', 'text')
    .addColumn('clerk_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('awaiting_second', 'queued', 'withdrawn')`))
    .addColumn('countersigned_by', 'text', (c) => c.references('users.id'))
    .addColumn('countersigned_at', 'text')
    .addColumn('withdrawn_by', 'text', (c) => c.references('users.id'))
    .addColumn('withdrawn_at', 'text')
    .execute();
  // The queue lists a district's requests newest first, by day and clerk.
  await db.schema.createIndex('counter_requests_district').on('counter_requests').columns(['district_code', 'created_at']).execute();
  await db.schema.createIndex('counter_requests_lot').on('counter_requests').columns(['lot_id']).execute();
  // Counter searches: by buyer (within a district, newest first) and by purchase time. With the buyer's
  // index on buyer alone, SQLite preferred walking the district's lots in time order (0.4 s at 1M events).
  await db.schema.createIndex('lots_buyer').on('lots').columns(['buyer_id', 'district_code', 'purchased_at']).execute();
  // The daily closing reads a district's returns of one day; a partial index keeps it off the purchases and uses.
  await sql`create index ledger_events_returns on ledger_events (district_code, occurred_at) where type in ('cancel', 'refund')`.execute(db);
  await db.schema.createIndex('lots_district_purchased').on('lots').columns(['district_code', 'purchased_at']).execute();

  await db.schema
    .createTable('counter_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('countersign_above', 'integer', (c) => c.check(sql`countersign_above is null or countersign_above >= 0`))
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'text')
    .execute();
  await sql`insert into counter_settings (id, countersign_above) values (1, null)`.execute(db);

  await db.schema
    .createTable('counter_closings')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('district_code', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('closed_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('closed_at', 'text', (c) => c.notNull())
    .addColumn('figures', 'text', (c) => c.notNull())
    .addColumn('reopened_by', 'text', (c) => c.references('users.id'))
    .addColumn('reopened_at', 'text')
    .addColumn('reopen_reason', 'text')
    .execute();
  // At most one closing of a district's day in force at a time.
  await sql`create unique index counter_closings_open on counter_closings (district_code, day) where reopened_at is null`.execute(db);
  await sql`create trigger counter_closings_no_delete before delete on counter_closings begin select raise(abort, 'counter_closings is kept'); end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('counter_closings').execute();
  await db.schema.dropTable('counter_settings').execute();
  await db.schema.dropIndex('lots_district_purchased').execute();
  await db.schema.dropIndex('lots_buyer').execute();
  await db.schema.dropIndex('ledger_events_returns').execute();
  await db.schema.dropTable('counter_requests').execute();
}
