import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(async () => {
  l = openDatabase(':memory:');
  await migrateTo(l.db, '0001_initial');
});
afterEach(() => l.close());

const at = '2026-03-02T00:00:00.000Z';
async function seedUserAndRound(): Promise<void> {
  await l.db.insertInto('users').values({ id: 'u1', username: 'kim', display_name: '김', password_hash: 'x', role: 'official', district_code: null, disabled: 0, created_at: at, created_by: null }).execute();
  await l.db.insertInto('rounds').values({ id: 'r1', status: 'draft', current_version: 1, approved_version: null, created_at: at, created_by: 'u1', updated_at: at }).execute();
  await l.db.insertInto('round_versions').values({ round_id: 'r1', version: 1, spec: '{}', changed: '[]', author_id: 'u1', created_at: at, approved_by: null, approved_at: null }).execute();
}

describe('migration 0001_initial', () => {
  it('creates users, rounds, round_versions and audit_log', async () => {
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' order by name`.execute(l.db);
    expect(tables.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['users', 'rounds', 'round_versions', 'audit_log']));
  });

  it('binds clerks, and only clerks, to a district', async () => {
    const user = { id: 'c1', username: 'clerk', display_name: 'c', password_hash: 'x', disabled: 0, created_at: at, created_by: null };
    await expect(l.db.insertInto('users').values({ ...user, role: 'clerk', district_code: null }).execute()).rejects.toThrow(/CHECK/);
    await expect(l.db.insertInto('users').values({ ...user, role: 'analyst', district_code: '11440' }).execute()).rejects.toThrow(/CHECK/);
    await l.db.insertInto('users').values({ ...user, role: 'clerk', district_code: '11440' }).execute();
  });

  it('keeps round versions immutable except for recording their approval once', async () => {
    await seedUserAndRound();
    await expect(l.db.updateTable('round_versions').set({ spec: '{"changed":true}' }).execute()).rejects.toThrow(/immutable/);
    await l.db.updateTable('round_versions').set({ approved_by: 'u1', approved_at: at }).execute();
    await expect(l.db.updateTable('round_versions').set({ approved_by: null, approved_at: null }).execute()).rejects.toThrow(/immutable/);
    await expect(l.db.deleteFrom('round_versions').execute()).rejects.toThrow(/never deleted/);
  });

  it('makes the audit log append-only', async () => {
    await l.db.insertInto('audit_log').values({ at, actor_id: null, actor_name: 'x', action: 'a', entity_type: 't', entity_id: null, details: '{}', prev_hash: '0', hash: 'h1' }).execute();
    await expect(l.db.updateTable('audit_log').set({ action: 'b' }).execute()).rejects.toThrow(/append-only/);
    await expect(l.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
  });
});
