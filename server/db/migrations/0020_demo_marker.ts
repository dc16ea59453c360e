import { sql, type Kysely } from 'kysely';

/**
 * Marks a server whose record is the demo data set (server/demo/): one row at
 * most, written in the same run that fills the record, never removed. Consoles
 * read it from /api/status and show "데모 데이터" on every page, so nobody takes
 * the demo's year for real money.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('demo_marker')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('scale', 'text', (c) => c.notNull())
    .addColumn('seed', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    // The counts the builder promised (rounds, purchases, refunds, settlement totals): what a test or a newcomer checks the record against.
    .addColumn('manifest', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('demo_marker').execute();
}
