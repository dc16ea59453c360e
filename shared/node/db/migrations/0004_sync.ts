import { sql, type Kysely } from 'kysely';

/**
 * Sync with the central server: each synced ledger event keeps the server's
 * sequence number (its rowid) and chain hash; round publications are kept
 * verbatim; the sync cursor and connection live in one row; commands wait in
 * an outbox until the server has answered them. A local `server` user owns
 * rounds that arrive from other consoles.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table ledger_events add column hash text`.execute(db);
  // The ledger grid filters a round's events by district, payment method or type, newest first, over millions of rows.
  await db.schema.createIndex('ledger_events_round_district').on('ledger_events').columns(['round_id', 'district_code', 'seq']).execute();
  await db.schema.createIndex('ledger_events_round_method').on('ledger_events').columns(['round_id', 'payment_method', 'seq']).execute();
  await db.schema.createIndex('ledger_events_round_type').on('ledger_events').columns(['round_id', 'type', 'seq']).execute();
  // Sorting a million-row round by time or amount must not sort the round; the district-by-time index has no reader left.
  await db.schema.createIndex('ledger_events_round_time').on('ledger_events').columns(['round_id', 'occurred_at', 'seq']).execute();
  await db.schema.createIndex('ledger_events_round_amount').on('ledger_events').columns(['round_id', 'amount', 'seq']).execute();
  await db.schema.dropIndex('ledger_events_district').execute();

  await db.schema
    .createTable('round_publications')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('round_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('published_by', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('round_publications_round').on('round_publications').columns(['round_id', 'version']).execute();

  // Synced history may be cut back only by a repair, which raises this flag inside its own transaction.
  await db.schema.createTable('sync_repair').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
  for (const table of ['ledger_events']) {
    await sql.raw(`drop trigger ${table}_no_delete`).execute(db);
    await sql.raw(`create trigger ${table}_no_delete before delete on ${table} when not exists (select 1 from sync_repair) begin select raise(abort, '${table} is append-only'); end`).execute(db);
  }
  await sql`create trigger round_publications_no_update before update on round_publications begin select raise(abort, 'round_publications is append-only'); end`.execute(db);
  await sql`create trigger round_publications_no_delete before delete on round_publications when not exists (select 1 from sync_repair) begin select raise(abort, 'round_publications is append-only'); end`.execute(db);

  await db.schema
    .createTable('sync_state')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('server_url', 'text')
    .addColumn('username', 'text')
    .addColumn('token', 'text')
    .addColumn('server_user', 'text')
    .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_hash', 'text', (c) => c.notNull().defaultTo('0'.repeat(64)))
    .addColumn('head_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_success_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('chain_status', 'text', (c) => c.notNull().defaultTo('unchecked').check(sql`chain_status in ('unchecked', 'ok', 'mismatch')`))
    .addColumn('mismatch_seq', 'integer')
    .execute();
  await sql`insert into sync_state (id) values (1)`.execute(db);

  await db.schema
    .createTable('outbox')
    .addColumn('command_id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('round_id', 'text')
    .addColumn('lot_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending').check(sql`state in ('pending', 'accepted', 'rejected')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('reason_key', 'text')
    .addColumn('reason_params', 'text')
    .addColumn('server_seq', 'integer')
    .addColumn('resolved_at', 'text')
    .execute();
  await db.schema.createIndex('outbox_pending').on('outbox').columns(['state', 'next_attempt_at']).execute();

  await sql`
    insert into users (id, username, display_name, password_hash, role, district_code, disabled, created_at, created_by)
    values ('server', '(server)', '중앙 서버', '!', 'analyst', null, 1, '1970-01-01T00:00:00.000Z', null)
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from users where id = 'server'`.execute(db);
  await db.schema.dropTable('outbox').execute();
  await db.schema.dropTable('sync_state').execute();
  await sql`drop trigger round_publications_no_delete`.execute(db);
  await sql`drop trigger round_publications_no_update`.execute(db);
  await db.schema.dropTable('round_publications').execute();
  await sql`drop trigger ledger_events_no_delete`.execute(db);
  await sql`create trigger ledger_events_no_delete before delete on ledger_events begin select raise(abort, 'ledger_events is append-only'); end`.execute(db);
  await db.schema.dropTable('sync_repair').execute();
  for (const i of ['ledger_events_round_district', 'ledger_events_round_method', 'ledger_events_round_type', 'ledger_events_round_time', 'ledger_events_round_amount']) {
    await db.schema.dropIndex(i).execute();
  }
  await db.schema.createIndex('ledger_events_district').on('ledger_events').columns(['district_code', 'occurred_at']).execute();
  await sql`alter table ledger_events drop column hash`.execute(db);
}
