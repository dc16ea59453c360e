import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LATEST_MIGRATION, MIGRATIONS } from './migrations/index.js';
import { migrateTo, migrateToLatest, openDatabase } from './open.js';

const names = Object.keys(MIGRATIONS).sort();

async function schemaOf(l: ReturnType<typeof openDatabase>): Promise<string[]> {
  const r = await sql<{ sql: string | null; name: string }>`select name, sql from sqlite_master where name not like 'kysely_%' and name not like 'sqlite_%' order by name`.execute(l.db);
  return r.rows.map((x) => `${x.name}: ${x.sql}`);
}

describe('migrations', () => {
  it('are numbered, in order, and recorded in the database', async () => {
    // Numbers are handed out to parallel branches ahead of their merge, so a gap may stand until the others land.
    const numbers = names.map((n) => Number(/^(\d{4})_/.exec(n)?.[1]));
    expect(numbers.every((x, i) => Number.isInteger(x) && (i === 0 ? x === 1 : x > numbers[i - 1]!))).toBe(true);
    const l = openDatabase(':memory:');
    await migrateToLatest(l.db);
    const recorded = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(l.db);
    expect(recorded.rows.map((r) => r.name)).toEqual(names);
    await l.close();
  });

  it('bring every earlier version to the same schema as a fresh database', async () => {
    const fresh = openDatabase(':memory:');
    await migrateToLatest(fresh.db);
    const expected = await schemaOf(fresh);
    await fresh.close();
    for (const start of names) {
      const l = openDatabase(':memory:');
      await migrateTo(l.db, start);
      await migrateToLatest(l.db);
      expect(await schemaOf(l), `from ${start}`).toEqual(expected);
      await l.close();
    }
    expect(LATEST_MIGRATION).toBe(names.at(-1));
  });

  it('run once: reopening a migrated file changes nothing and keeps WAL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ic-mig-'));
    try {
      const file = join(dir, 'c.sqlite');
      const a = openDatabase(file);
      await migrateToLatest(a.db);
      const before = await schemaOf(a);
      await a.close();
      const b = openDatabase(file);
      await migrateToLatest(b.db);
      expect(await schemaOf(b)).toEqual(before);
      expect(b.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('apply atomically: a failing migration leaves the database as it was', async () => {
    const l = openDatabase(':memory:');
    await migrateTo(l.db, names[0]!);
    // A table the next migration wants to create makes it fail half-way.
    await sql`create table lots (x integer)`.execute(l.db);
    await expect(migrateToLatest(l.db)).rejects.toThrow(/migration .* failed/);
    const t = await sql<{ name: string }>`select name from sqlite_master where name = 'ledger_events'`.execute(l.db);
    expect(t.rows).toEqual([]);
    await l.close();
  });
});
