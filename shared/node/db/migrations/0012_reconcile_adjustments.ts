import { sql, type Kysely } from 'kysely';

/**
 * The adjustments journal: each won booked to close a reconciliation difference,
 * with its reason, who and when. Append-only by trigger, like the ledger: a
 * booking is corrected by another booking, never by changing the first.
 * Each booking is also a `book_adjustment` command to the server, which holds
 * the record (`command_id` names it in the outbox; a booking the server
 * rejects stops counting). Adjustments resolved before this migration (kept on
 * the exception row) are carried in, with no command: they were never sent.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reconcile_adjustments')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('exception_id', 'integer', (c) => c.notNull().references('reconcile_exceptions.id'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull().check(sql`amount <> 0`))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull().check(sql`length(trim(text)) > 0`))
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('by_name', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('command_id', 'text', (c) => c.unique())
    .execute();
  await db.schema.createIndex('reconcile_adjustments_day').on('reconcile_adjustments').columns(['day', 'provider']).execute();
  await sql`create trigger reconcile_adjustments_no_update before update on reconcile_adjustments begin select raise(abort, 'reconcile_adjustments is append-only'); end`.execute(db);
  await sql`create trigger reconcile_adjustments_no_delete before delete on reconcile_adjustments begin select raise(abort, 'reconcile_adjustments is append-only'); end`.execute(db);
  await sql`
    insert into reconcile_adjustments (exception_id, day, provider, amount, reason, text, by, by_name, at)
    select id, day, provider, adjustment, resolution, coalesce(nullif(trim(resolution_text), ''), '-'), resolved_by, resolved_by, resolved_at
    from reconcile_exceptions where adjustment is not null and adjustment <> 0 and resolved_at is not null order by id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reconcile_adjustments').execute();
}
