import { sql, type Kysely } from 'kysely';

/**
 * Reconciliation adjustments, held by the server: the record of public money
 * says who booked which won against which difference, and when, by the
 * server's identity and clock, not a console's. Append-only: a wrong booking
 * is corrected by another one. One row per accepted `book_adjustment` command.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reconcile_adjustments')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('command_id', 'text', (c) => c.notNull())
    .addColumn('booked_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('booked_at', 'timestamptz', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('exception', 'jsonb', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount <> 0`))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull().check(sql`length(btrim(text)) > 0`))
    .addUniqueConstraint('reconcile_adjustments_command', ['booked_by', 'command_id'])
    .execute();
  await db.schema.createIndex('reconcile_adjustments_day').on('reconcile_adjustments').columns(['day', 'provider']).execute();
  await sql`
    create function reconcile_adjustments_append_only() returns trigger language plpgsql as $$
    begin raise exception '% is append-only', tg_table_name; end $$
  `.execute(db);
  await sql`create trigger reconcile_adjustments_no_change before update or delete on reconcile_adjustments for each row execute function reconcile_adjustments_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reconcile_adjustments').execute();
  await sql`drop function if exists reconcile_adjustments_append_only`.execute(db);
}
