import type { Kysely } from 'kysely';

/**
 * The server's snapshot signing key this console trusts (SPKI PEM): pinned at
 * the first snapshot from the server it is connected to, cleared when it
 * connects to another. A snapshot signed by any other key is refused.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_state').addColumn('snapshot_key', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_state').dropColumn('snapshot_key').execute();
}
