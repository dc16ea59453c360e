import { sql, type Kysely } from 'kysely';

/**
 * The server's reconciliation journal as every console reads it after sync:
 * each `adjustment_booked`, `reconcile_day_locked` and `reconcile_day_reopened`
 * event of the log, in log order, with its text and hash so the chain is kept
 * (the sync cursor checks it like any other log table). Append-only, except
 * for a sync repair, as `round_statuses`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('server_reconcile_journal')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('adjustment_booked', 'reconcile_day_locked', 'reconcile_day_reopened')`))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    /** Won booked; null on a lock or reopening. */
    .addColumn('amount', 'integer')
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('server_reconcile_journal_day').on('server_reconcile_journal').columns(['day', 'provider', 'seq']).execute();
  await sql`create trigger server_reconcile_journal_no_update before update on server_reconcile_journal begin select raise(abort, 'server_reconcile_journal is append-only'); end`.execute(db);
  await sql`create trigger server_reconcile_journal_no_delete before delete on server_reconcile_journal when not exists (select 1 from sync_repair) begin select raise(abort, 'server_reconcile_journal is append-only'); end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('server_reconcile_journal').execute();
}
