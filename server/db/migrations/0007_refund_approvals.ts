import { sql, type Kysely } from 'kysely';

/**
 * The two-person rule for large refunds. `refund_settings` holds the amount an
 * administrator set (one row; null = no second person needed). A refund or
 * cancellation above it is applied only when a countersignature by another
 * user is already held for that exact request (requester, command id, lot,
 * kind, amount): `refund_countersigns`, append-only, one per request.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('refund_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('countersign_above', 'bigint', (c) => c.check(sql`countersign_above is null or countersign_above >= 0`))
    .addColumn('updated_by', 'text', (c) => c.references('users.id'))
    .addColumn('updated_at', 'timestamptz')
    .execute();
  await sql`insert into refund_settings (id, countersign_above) values (1, null)`.execute(db);

  await db.schema
    .createTable('refund_countersigns')
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('request_command_id', 'text', (c) => c.notNull())
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('cancel', 'refund')`))
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn('countersigned_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('countersigned_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('refund_countersigns_pk', ['requested_by', 'request_command_id'])
    .execute();
  await sql`
    create function refund_countersigns_append_only() returns trigger language plpgsql as $$
    begin raise exception '% is append-only', tg_table_name; end $$
  `.execute(db);
  await sql`create trigger refund_countersigns_no_change before update or delete on refund_countersigns for each row execute function refund_countersigns_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('refund_countersigns').execute();
  await db.schema.dropTable('refund_settings').execute();
  await sql`drop function if exists refund_countersigns_append_only`.execute(db);
}
