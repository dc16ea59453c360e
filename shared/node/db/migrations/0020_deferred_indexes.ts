import type { Kysely } from 'kysely';

/**
 * Indexes set aside while a large catch-up is applied (sync/bulk-indexes.ts):
 * each row is an index dropped together with the text that recreates it, so
 * the drop and its record commit as one, and a console stopped mid catch-up
 * builds them again when it next opens its ledger.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('deferred_indexes')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('sql', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('deferred_indexes').execute();
}
