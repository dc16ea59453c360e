import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(async () => {
  l = openDatabase(':memory:');
  await migrateTo(l.db, '0002_ledger');
});
afterEach(() => l.close());

const at = '2026-03-02T00:00:00.000Z';

describe('migration 0003_simulations', () => {
  it('adds saved runs tied to a round and, for backing runs, to their main run', async () => {
    await l.db.insertInto('users').values({ id: 'u1', username: 'kim', display_name: '김', password_hash: 'x', role: 'official', district_code: null, disabled: 0, created_at: at, created_by: null }).execute();
    await l.db.insertInto('rounds').values({ id: 'r1', status: 'draft', current_version: 1, approved_version: null, created_at: at, created_by: 'u1', updated_at: at }).execute();
    await migrateTo(l.db, '0003_simulations');
    const run = { round_id: 'r1', round_version: 1, backing_key: null, label: 'a', params: '{}', seed: 1, result: '{}', recommendations: null, created_by: 'u1', created_at: at, elapsed_ms: 5 };
    await l.db.insertInto('simulation_runs').values({ ...run, id: 's1', parent_id: null }).execute();
    await l.db.insertInto('simulation_runs').values({ ...run, id: 's2', parent_id: 's1', backing_key: 'session' }).execute();
    await expect(l.db.insertInto('simulation_runs').values({ ...run, id: 's3', parent_id: 'missing' }).execute()).rejects.toThrow(/FOREIGN KEY/);
    await expect(l.db.insertInto('simulation_runs').values({ ...run, id: 's4', parent_id: null, round_id: 'missing' }).execute()).rejects.toThrow(/FOREIGN KEY/);
    expect((await l.db.selectFrom('rounds').select('id').execute()).length).toBe(1);
  });

  it('rolls back to 0002', async () => {
    await migrateTo(l.db, '0003_simulations');
    await migrateTo(l.db, '0002_ledger');
    const t = await sql<{ name: string }>`select name from sqlite_master where name = 'simulation_runs'`.execute(l.db);
    expect(t.rows).toEqual([]);
  });
});
