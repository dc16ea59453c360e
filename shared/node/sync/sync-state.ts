import type { Kysely, Updateable } from 'kysely';
import type { Database, SyncStateTable } from '../db/schema.js';

/** The one row of sync_state: connection, cursor and the last outcome. */
export function readSyncState(db: Kysely<Database>) {
  return db.selectFrom('sync_state').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

export async function writeSyncState(db: Kysely<Database>, patch: Updateable<SyncStateTable>): Promise<void> {
  await db.updateTable('sync_state').set(patch).where('id', '=', 1).execute();
}
