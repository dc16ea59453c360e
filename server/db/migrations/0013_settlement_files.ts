import { sql, type Kysely } from 'kysely';

/**
 * Settlement on the server, so adjustments are checked against its own
 * figures (issue 17, finding 1). `settlement_files` and `settlement_exceptions`
 * hold each imported file as a console recorded it: its digest, its days'
 * figures, and every exception with its difference. A booking names one of
 * those exceptions (`reconcile_adjustments.file_digest` / `exception_ref`);
 * above `reconcile_settings.countersign_above` it needs a second official's
 * `adjustment_countersigns` row. `reconcile_day_locks` is the day's lock as it
 * stands; its history is the lock and reopen events in the log. Everything but
 * the settings and the current lock is append-only. Days are ISO text here
 * (`YYYY-MM-DD`, a Seoul calendar day), compared as text, never a driver's Date.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('settlement_files')
    .addColumn('file_digest', 'text', (c) => c.primaryKey().check(sql`file_digest ~ '^[0-9a-f]{64}$'`))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull().check(sql`day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`))
    .addColumn('payout_day', 'text')
    .addColumn('days', 'text', (c) => c.notNull())
    .addColumn('command_id', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('settlement_files_day').on('settlement_files').columns(['day', 'provider']).execute();

  await db.schema
    .createTable('settlement_exceptions')
    .addColumn('file_digest', 'text', (c) => c.notNull().references('settlement_files.file_digest'))
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('class', 'text', (c) => c.notNull())
    .addColumn('difference', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('settlement_exceptions_pk', ['file_digest', 'ref'])
    .execute();
  await db.schema.createIndex('settlement_exceptions_day').on('settlement_exceptions').columns(['day', 'provider']).execute();

  await db.schema.alterTable('reconcile_adjustments').addColumn('file_digest', 'text').execute();
  await db.schema.alterTable('reconcile_adjustments').addColumn('exception_ref', 'text').execute();
  await db.schema.alterTable('reconcile_adjustments').addColumn('countersigned_by', 'text', (c) => c.references('users.id')).execute();
  await db.schema.createIndex('reconcile_adjustments_exception').on('reconcile_adjustments').columns(['file_digest', 'exception_ref']).execute();

  await db.schema
    .createTable('reconcile_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('countersign_above', 'bigint', (c) => c.check(sql`countersign_above is null or countersign_above >= 0`))
    .addColumn('updated_by', 'text', (c) => c.references('users.id'))
    .addColumn('updated_at', 'timestamptz')
    .execute();
  await sql`insert into reconcile_settings (id, countersign_above) values (1, null)`.execute(db);

  await db.schema
    .createTable('adjustment_countersigns')
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('request_command_id', 'text', (c) => c.notNull())
    .addColumn('file_digest', 'text', (c) => c.notNull())
    .addColumn('exception_ref', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('countersigned_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('countersigned_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('adjustment_countersigns_pk', ['requested_by', 'request_command_id'])
    .execute();

  await db.schema
    .createTable('reconcile_day_locks')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('locked_by', 'text', (c) => c.references('users.id'))
    .addColumn('locked_at', 'timestamptz')
    .addPrimaryKeyConstraint('reconcile_day_locks_pk', ['day', 'provider'])
    .execute();

  // The 0009 function raises for any table it is attached to.
  for (const t of ['settlement_files', 'settlement_exceptions', 'adjustment_countersigns']) {
    await sql`create trigger ${sql.raw(`${t}_no_change`)} before update or delete on ${sql.table(t)} for each row execute function reconcile_adjustments_append_only()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reconcile_day_locks').execute();
  await db.schema.dropTable('adjustment_countersigns').execute();
  await db.schema.dropTable('reconcile_settings').execute();
  await db.schema.dropIndex('reconcile_adjustments_exception').execute();
  for (const c of ['countersigned_by', 'exception_ref', 'file_digest']) await db.schema.alterTable('reconcile_adjustments').dropColumn(c).execute();
  await db.schema.dropTable('settlement_exceptions').execute();
  await db.schema.dropTable('settlement_files').execute();
}
