import { describe, expect, it } from 'vitest';
import { afterMigrate } from '../../shared/node/backend/hooks.js';
import { migrateToLatest, openDatabase } from '../../shared/node/db/open.js';
import { MIXED_TABLES, OWN_TABLES, SCHEMA_TABLES, SCRATCH_TABLES, schemaTables } from '../../shared/node/sync/snapshot-install.js';
import { SNAPSHOT_TABLES, STATE_ROWS } from '../../shared/node/sync/snapshot-tables.js';

describe('the tables a snapshot swap knows', () => {
  it('names every table of the console schema in exactly one list (a new table must be placed: from the log, or the console’s own)', async () => {
    const l = openDatabase(':memory:');
    await migrateToLatest(l.db);
    afterMigrate(l.sqlite);
    const tables = schemaTables(l.sqlite);
    await l.close();
    const lists = { SNAPSHOT_TABLES, STATE_ROWS, OWN_TABLES, SCHEMA_TABLES, SCRATCH_TABLES, MIXED_TABLES } as Record<string, readonly string[]>;
    const where = new Map<string, string[]>();
    for (const [name, list] of Object.entries(lists)) for (const t of list) where.set(t, [...(where.get(t) ?? []), name]);
    for (const t of tables) expect(where.get(t) ?? [], `table ${t} is in no list of shared/node/sync/snapshot-install.ts`).toHaveLength(1);
    // And no list names a table the schema does not have (a rename would leave a list stale).
    expect([...where.keys()].filter((t) => !tables.includes(t))).toEqual([]);
  });
});
