import { sql, type Kysely } from 'kysely';

/**
 * The counter's daily closing, held by the server. One row per district and
 * Seoul day that was ever closed: whether it is closed now, who changed it
 * last and at which log sequence (the `day_closing` events in the log are the
 * history; this row is what a refund is judged against, read under the log
 * head lock). `day` is a Seoul calendar day as text, so no driver turns it
 * into a midnight in some time zone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('day_closings')
    .addColumn('district_code', 'text', (c) => c.notNull().check(sql`district_code ~ '^[0-9]{5}$'`))
    .addColumn('day', 'text', (c) => c.notNull().check(sql`day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`))
    .addColumn('closed', 'boolean', (c) => c.notNull())
    .addColumn('changed_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('day_closings_pk', ['district_code', 'day'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('day_closings').execute();
}
