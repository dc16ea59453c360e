import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(async () => {
  l = openDatabase(':memory:');
  await migrateTo(l.db, '0011_reports');
});
afterEach(() => l.close());

const at = '2026-03-02T00:00:00.000Z';

describe('migration 0014_calibration', () => {
  it('adds calibrations tied to a round, and presets with unique names that may point to one', async () => {
    await l.db.insertInto('users').values({ id: 'u1', username: 'kim', display_name: '김', password_hash: 'x', role: 'official', district_code: null, disabled: 0, created_at: at, created_by: null }).execute();
    await l.db.insertInto('rounds').values({ id: 'r1', status: 'draft', current_version: 1, approved_version: null, created_at: at, created_by: 'u1', updated_at: at }).execute();
    await migrateTo(l.db, '0014_calibration');
    await l.db.insertInto('calibrations').values({ id: 'c1', round_id: 'r1', result: '{}', created_by: 'u1', created_at: at }).execute();
    await expect(l.db.insertInto('calibrations').values({ id: 'c2', round_id: 'missing', result: '{}', created_by: 'u1', created_at: at }).execute()).rejects.toThrow(/FOREIGN KEY/);
    const preset = { params: '{}', source_round_id: 'r1', calibration_id: 'c1', created_by: 'u1', created_at: at };
    await l.db.insertInto('sim_presets').values({ ...preset, id: 'p1', name: '회차 1 보정' }).execute();
    await expect(l.db.insertInto('sim_presets').values({ ...preset, id: 'p2', name: '회차 1 보정' }).execute()).rejects.toThrow(/UNIQUE/);
    await l.db.insertInto('sim_presets').values({ ...preset, id: 'p3', name: '직접 입력', source_round_id: null, calibration_id: null }).execute();
    expect((await l.db.selectFrom('sim_presets').select('id').execute()).length).toBe(2);
  });

  it('rolls back to 0011', async () => {
    await migrateTo(l.db, '0014_calibration');
    await migrateTo(l.db, '0011_reports');
    const t = await sql<{ name: string }>`select name from sqlite_master where name in ('calibrations', 'sim_presets')`.execute(l.db);
    expect(t.rows).toEqual([]);
  });
});
