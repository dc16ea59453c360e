import { sql, type Kysely } from 'kysely';

/**
 * Receipt numbers of the server's making. A refund or cancellation the server
 * accepts gets `{district}-{Seoul day}-{running number}`, the day being the
 * server's Seoul date of the approval: a console with a wrong clock cannot date
 * a receipt. One row per district and day holds the last number given; it is
 * raised in the command's transaction (under the log head lock), so two
 * approvals never share a number and a refused one takes none.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('receipt_counters')
    .addColumn('district_code', 'text', (c) => c.notNull().check(sql`district_code ~ '^[0-9]{5}$'`))
    .addColumn('day', 'text', (c) => c.notNull().check(sql`day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`))
    .addColumn('last_no', 'integer', (c) => c.notNull().check(sql`last_no > 0`))
    .addPrimaryKeyConstraint('receipt_counters_pk', ['district_code', 'day'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('receipt_counters').execute();
}
