import { sql, type Kysely } from 'kysely';

/**
 * The certificate ledger: an append-only event table and the lots derived
 * from it. CHECK constraints restate the invariants the code enforces, so a
 * bug cannot write a refund above what was paid or a use above the face.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ledger_events')
    .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('purchase', 'use', 'gift', 'cancel', 'refund')`))
    .addColumn('round_id', 'text', (c) => c.notNull())
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('district_code', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn('payment_method', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_events_round').on('ledger_events').columns(['round_id', 'seq']).execute();
  await db.schema.createIndex('ledger_events_lot').on('ledger_events').columns(['lot_id', 'seq']).execute();
  await db.schema.createIndex('ledger_events_district').on('ledger_events').columns(['district_code', 'occurred_at']).execute();
  await sql`create trigger ledger_events_no_update before update on ledger_events begin select raise(abort, 'ledger_events is append-only'); end`.execute(db);
  await sql`create trigger ledger_events_no_delete before delete on ledger_events begin select raise(abort, 'ledger_events is append-only'); end`.execute(db);

  await db.schema
    .createTable('lots')
    .addColumn('lot_id', 'text', (c) => c.primaryKey())
    .addColumn('round_id', 'text', (c) => c.notNull())
    .addColumn('buyer_id', 'text', (c) => c.notNull())
    .addColumn('holder_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('district_code', 'text', (c) => c.notNull())
    .addColumn('payment_method', 'text', (c) => c.notNull())
    .addColumn('face', 'integer', (c) => c.notNull().check(sql`face > 0`))
    .addColumn('paid', 'integer', (c) => c.notNull().check(sql`paid >= 0 and paid <= face`))
    .addColumn('discount_bp', 'integer', (c) => c.notNull())
    .addColumn('purchased_at', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull().defaultTo(0).check(sql`used >= 0 and used <= face`))
    .addColumn('refunded', 'integer', (c) => c.notNull().defaultTo(0).check(sql`refunded >= 0 and refunded <= paid`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'cancelled', 'refunded')`))
    .addColumn('gifted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('gift_month', 'text')
    .execute();
  await db.schema.createIndex('lots_round').on('lots').columns(['round_id']).execute();
  await db.schema.createIndex('lots_buyer_month').on('lots').columns(['buyer_id', 'scope', 'month']).execute();
  await db.schema.createIndex('lots_holder').on('lots').columns(['holder_id', 'scope', 'status']).execute();

  await db.schema
    .createTable('round_sales')
    .addColumn('round_id', 'text', (c) => c.primaryKey())
    .addColumn('sold_face', 'integer', (c) => c.notNull().check(sql`sold_face >= 0`))
    .addColumn('lot_count', 'integer', (c) => c.notNull().check(sql`lot_count >= 0`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('round_sales').execute();
  await db.schema.dropTable('lots').execute();
  await db.schema.dropTable('ledger_events').execute();
}
