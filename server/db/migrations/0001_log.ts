import { sql, type Kysely } from 'kysely';

/** Users and sessions, the event log with its head, and the state derived from it. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'official', 'clerk', 'analyst')`))
    .addColumn('district_code', 'text')
    .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('users_clerk_district', sql`(role = 'clerk') = (district_code is not null)`)
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('log_head')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into log_head (id, seq, hash) values (1, 0, ${'0'.repeat(64)})`.execute(db);

  await db.schema
    .createTable('events')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('round_id', 'text')
    .addColumn('lot_id', 'text')
    .addColumn('district_code', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_round').on('events').columns(['round_id', 'seq']).execute();
  // The log is append-only in the database too, not only in the code.
  await sql`
    create function events_append_only() returns trigger language plpgsql as $$
    begin raise exception 'events is append-only'; end $$
  `.execute(db);
  await sql`create trigger events_no_change before update or delete on events for each row execute function events_append_only()`.execute(db);

  await db.schema
    .createTable('published_rounds')
    .addColumn('round_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('published_rounds_pk', ['round_id', 'version'])
    .execute();

  await db.schema
    .createTable('lots')
    .addColumn('lot_id', 'text', (c) => c.primaryKey())
    .addColumn('round_id', 'text', (c) => c.notNull())
    .addColumn('buyer_id', 'text', (c) => c.notNull())
    .addColumn('holder_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('district_code', 'text', (c) => c.notNull())
    .addColumn('payment_method', 'text', (c) => c.notNull())
    .addColumn('face', 'bigint', (c) => c.notNull().check(sql`face > 0`))
    .addColumn('paid', 'bigint', (c) => c.notNull().check(sql`paid >= 0 and paid <= face`))
    .addColumn('discount_bp', 'integer', (c) => c.notNull())
    .addColumn('purchased_at', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`used >= 0 and used <= face`))
    .addColumn('refunded', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`refunded >= 0 and refunded <= paid`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'cancelled', 'refunded')`))
    .addColumn('gifted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('gift_month', 'text')
    .execute();
  await db.schema.createIndex('lots_round').on('lots').columns(['round_id']).execute();
  await db.schema.createIndex('lots_buyer_month').on('lots').columns(['buyer_id', 'scope', 'month']).execute();
  await db.schema.createIndex('lots_holder').on('lots').columns(['holder_id', 'scope', 'status']).execute();

  await db.schema
    .createTable('round_sales')
    .addColumn('round_id', 'text', (c) => c.primaryKey())
    .addColumn('sold_face', 'bigint', (c) => c.notNull().check(sql`sold_face >= 0`))
    .addColumn('lot_count', 'bigint', (c) => c.notNull().check(sql`lot_count >= 0`))
    .execute();

  await db.schema
    .createTable('commands')
    .addColumn('command_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('accepted', 'rejected')`))
    .addColumn('reason_key', 'text')
    .addColumn('reason_params', 'text')
    .addColumn('seq', 'bigint')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['commands', 'round_sales', 'lots', 'published_rounds', 'events', 'log_head', 'sessions', 'users']) await db.schema.dropTable(t).execute();
  await sql`drop function if exists events_append_only`.execute(db);
}
