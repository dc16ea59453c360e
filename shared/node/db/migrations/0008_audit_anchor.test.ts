import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(async () => {
  l = openDatabase(':memory:');
  await migrateToLatest(l.db);
});
afterEach(() => l.close());

describe('migration 0008_audit_anchor', () => {
  it('gives the console one random id that cannot be changed or removed', async () => {
    const rows = await l.db.selectFrom('console_identity').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.console_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await expect(sql`update console_identity set console_id = 'other'`.execute(l.db)).rejects.toThrow(/fixed/);
    await expect(sql`delete from console_identity`.execute(l.db)).rejects.toThrow(/fixed/);
    await expect(sql`insert into console_identity (id, console_id, created_at) values (2, 'x', 'y')`.execute(l.db)).rejects.toThrow(/CHECK/);
  });

  it('makes a different id for every console', async () => {
    const other = openDatabase(':memory:');
    await migrateToLatest(other.db);
    const a = await l.db.selectFrom('console_identity').select('console_id').executeTakeFirstOrThrow();
    const b = await other.db.selectFrom('console_identity').select('console_id').executeTakeFirstOrThrow();
    await other.close();
    expect(a.console_id).not.toBe(b.console_id);
  });

  it('rolls back to the migration before it', async () => {
    await migrateTo(l.db, '0004_sync');
    const tables = await sql<{ name: string }>`select name from sqlite_master where name = 'console_identity'`.execute(l.db);
    expect(tables.rows).toEqual([]);
  });
});
