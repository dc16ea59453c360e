import BetterSqlite3 from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, expect, it, vi } from 'vitest';
import { openDatabase, replaceLedgerFile } from './open.js';

// A rename refused by the system (Windows: a virus scanner or another program holding the ledger open, EPERM).
const rename = vi.hoisted(() => ({ refuse: false }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const renameSync: typeof fs.renameSync = (from, to) => {
    if (rename.refuse) throw Object.assign(new Error(`EPERM: operation not permitted, rename '${String(from)}' -> '${String(to)}'`), { code: 'EPERM' });
    fs.renameSync(from, to);
  };
  return { ...fs, default: { ...fs, renameSync }, renameSync };
});

const dir = mkdtempSync(join(tmpdir(), 'ic-replace-refused-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a rename the system refuses leaves the handle on the old file, open and in WAL, and the snapshot file for the page copy', async () => {
  const file = join(dir, 'ledger.sqlite');
  const ledger = openDatabase(file);
  ledger.sqlite.exec("create table notes (text text); insert into notes values ('old')");
  const newFile = join(dir, 'new.sqlite');
  const other = new BetterSqlite3(newFile);
  other.exec("create table notes (text text); insert into notes values ('new')");
  other.close();

  rename.refuse = true;
  // Threw EPERM with the handle's connection closed: every later call of the console failed until a restart.
  expect(replaceLedgerFile(ledger.sqlite, newFile)).toBe(false);
  rename.refuse = false;
  expect(existsSync(newFile)).toBe(true);
  expect(ledger.sqlite.prepare('select text from notes').pluck().all()).toEqual(['old']);
  expect((await sql<{ text: string }>`select text from notes`.execute(ledger.db)).rows).toEqual([{ text: 'old' }]);
  expect(ledger.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
  await ledger.close();
});
