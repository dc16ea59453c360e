import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(() => {
  l = openDatabase(':memory:');
});
afterEach(() => l.close());

describe('migration 0040_snapshot_key_pin', () => {
  it('gives the sync state a pinned snapshot key, empty on a console synced before', async () => {
    await migrateTo(l.db, '0037_adjustment_countersign_of');
    await sql`update sync_state set server_url = 'https://server.example', last_seq = 12 where id = 1`.execute(l.db);
    await migrateToLatest(l.db);
    expect(await l.db.selectFrom('sync_state').select(['server_url', 'last_seq', 'snapshot_key']).execute()).toEqual([{ server_url: 'https://server.example', last_seq: 12, snapshot_key: null }]);
    await l.db.updateTable('sync_state').set({ snapshot_key: 'PEM' }).execute();
    expect((await l.db.selectFrom('sync_state').select('snapshot_key').executeTakeFirstOrThrow()).snapshot_key).toBe('PEM');
  });

  it('rolls back to 0037', async () => {
    await migrateToLatest(l.db);
    await migrateTo(l.db, '0037_adjustment_countersign_of');
    const cols = await sql<{ name: string }>`select name from pragma_table_info('sync_state')`.execute(l.db);
    expect(cols.rows.map((c) => c.name)).not.toContain('snapshot_key');
  });
});
