import { sql, type Kysely } from 'kysely';
import { DEFAULT_PROFILES } from '../../../reconcile/profile.js';

/**
 * Reconciliation against payment settlement files.
 *
 * - ledger_events gets the payment references of event version 2 in indexed
 *   columns (provider + key, provider + approval time) for matching, and the
 *   amount that actually moved (`pay_amount`: what was paid for a purchase, what
 *   went back for a cancellation or refund). Rows synced before this migration
 *   are filled from their stored JSON.
 * - settlement_profiles: column-mapping profiles, seeded with the three shapes.
 * - settlement_imports / settlement_rows: a file, once, by its SHA-256.
 * - reconcile_exceptions: each difference found, worked by assigning, noting, resolving.
 * - reconcile_days / reconcile_day_log: a provider's day locked once every exception is resolved; lock and reopen audited.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const c of ['pay_provider', 'pay_tid', 'pay_approval_no', 'pay_approved_at', 'pay_original_tid']) {
    await db.schema.alterTable('ledger_events').addColumn(c, 'text').execute();
  }
  await db.schema.alterTable('ledger_events').addColumn('pay_amount', 'integer').execute();
  // The table is append-only by trigger; the backfill only fills the new columns from each row's own payload.
  await sql`drop trigger ledger_events_no_update`.execute(db);
  await sql`
    update ledger_events set
      pay_provider = json_extract(payload, '$.payment.provider'),
      pay_tid = json_extract(payload, '$.payment.tid'),
      pay_approval_no = json_extract(payload, '$.payment.approvalNo'),
      pay_approved_at = strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(payload, '$.payment.approvedAt')),
      pay_original_tid = json_extract(payload, '$.payment.originalTid'),
      pay_amount = case type when 'purchase' then json_extract(payload, '$.paid') when 'use' then null when 'gift' then null else amount end
    where json_extract(payload, '$.payment') is not null`.execute(db);
  await sql`create trigger ledger_events_no_update before update on ledger_events begin select raise(abort, 'ledger_events is append-only'); end`.execute(db);
  await db.schema.createIndex('ledger_events_pay_tid').on('ledger_events').columns(['pay_provider', 'pay_tid']).where(sql.ref('pay_tid'), 'is not', null).execute();
  // Covering: matching reads a provider's day (a million rows in a large sale) from the index alone, in order.
  await db.schema
    .createIndex('ledger_events_pay_time')
    .on('ledger_events')
    .columns(['pay_provider', 'pay_approved_at', 'type', 'pay_tid', 'pay_original_tid', 'pay_amount', 'district_code'])
    .where(sql.ref('pay_tid'), 'is not', null)
    .execute();

  await db.schema
    .createTable('settlement_profiles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();
  const now = new Date().toISOString();
  for (const p of DEFAULT_PROFILES) {
    await sql`insert into settlement_profiles (id, provider, spec, updated_at) values (${p.id}, ${p.provider}, ${JSON.stringify(p)}, ${now})`.execute(db);
  }

  await db.schema
    .createTable('settlement_imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sha256', 'text', (c) => c.notNull().unique())
    .addColumn('profile_id', 'text', (c) => c.notNull().references('settlement_profiles.id'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('encoding', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('row_count', 'integer', (c) => c.notNull())
    .addColumn('imported_by', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('settlement_rows')
    .addColumn('import_id', 'text', (c) => c.notNull().references('settlement_imports.id'))
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('approval', 'cancel')`))
    .addColumn('tid', 'text', (c) => c.notNull())
    .addColumn('original_tid', 'text')
    .addColumn('approval_no', 'text')
    .addColumn('approved_at', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('fee', 'integer', (c) => c.notNull())
    .addColumn('vat', 'integer', (c) => c.notNull())
    .addColumn('net', 'integer', (c) => c.notNull())
    .addColumn('payout_day', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('settlement_rows_pk', ['import_id', 'line'])
    .execute();

  await db.schema
    .createTable('reconcile_exceptions')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('import_id', 'text', (c) => c.notNull().references('settlement_imports.id'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('class', 'text', (c) =>
      c.notNull().check(sql`class in ('amount_mismatch', 'only_in_file', 'only_in_ledger', 'duplicate', 'cancel_without_original', 'other_day')`),
    )
    .addColumn('line', 'integer')
    .addColumn('tid', 'text')
    .addColumn('event_id', 'text')
    .addColumn('district_code', 'text')
    .addColumn('file_amount', 'integer')
    .addColumn('ledger_amount', 'integer')
    .addColumn('explained_by', 'text')
    .addColumn('assignee', 'text')
    .addColumn('note', 'text')
    .addColumn('resolution', 'text')
    .addColumn('resolution_text', 'text')
    .addColumn('adjustment', 'integer')
    .addColumn('resolved_by', 'text')
    .addColumn('resolved_at', 'text')
    .execute();
  await db.schema.createIndex('reconcile_exceptions_day').on('reconcile_exceptions').columns(['day', 'provider', 'class']).execute();

  await db.schema
    .createTable('reconcile_days')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_at', 'text')
    .addPrimaryKeyConstraint('reconcile_days_pk', ['day', 'provider'])
    .execute();
  await db.schema
    .createTable('reconcile_day_log')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('lock', 'reopen')`))
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await sql`create trigger reconcile_day_log_no_update before update on reconcile_day_log begin select raise(abort, 'reconcile_day_log is append-only'); end`.execute(db);
  await sql`create trigger reconcile_day_log_no_delete before delete on reconcile_day_log begin select raise(abort, 'reconcile_day_log is append-only'); end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['reconcile_day_log', 'reconcile_days', 'reconcile_exceptions', 'settlement_rows', 'settlement_imports', 'settlement_profiles']) await db.schema.dropTable(t).execute();
  await db.schema.dropIndex('ledger_events_pay_time').execute();
  await db.schema.dropIndex('ledger_events_pay_tid').execute();
  for (const c of ['pay_amount', 'pay_original_tid', 'pay_approved_at', 'pay_approval_no', 'pay_tid', 'pay_provider']) await db.schema.alterTable('ledger_events').dropColumn(c).execute();
}
