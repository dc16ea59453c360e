import BetterSqlite3 from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { afterAll, expect, it, vi } from 'vitest';
import { openDatabase, replaceLedgerFile } from './open.js';

// A rename refused by the system (Windows: a virus scanner or another program holding the ledger open, EPERM);
// something run at the fsync before the rename (another process opening the ledger just then).
const rename = vi.hoisted(() => ({ refuse: false, atSync: undefined as (() => void) | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const renameSync: typeof fs.renameSync = (from, to) => {
    if (rename.refuse) throw Object.assign(new Error(`EPERM: operation not permitted, rename '${String(from)}' -> '${String(to)}'`), { code: 'EPERM' });
    fs.renameSync(from, to);
  };
  const fsyncSync: typeof fs.fsyncSync = (fd) => {
    const run = rename.atSync;
    rename.atSync = undefined;
    run?.();
    fs.fsyncSync(fd);
  };
  return { ...fs, default: { ...fs, renameSync, fsyncSync }, renameSync, fsyncSync };
});

const require = createRequire(import.meta.url);
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

it('a second console opening the ledger while it is replaced cannot write the old file (whose -wal the new one would read)', async () => {
  const file = join(dir, 'raced.sqlite');
  const ledger = openDatabase(file);
  ledger.sqlite.exec("create table notes (text text); insert into notes values ('old')");
  const newFile = join(dir, 'raced-new.sqlite');
  const other = new BetterSqlite3(newFile);
  other.exec('create table notes (text text)');
  for (let i = 0; i < 100; i++) other.prepare('insert into notes values (?)').run(`new ${i}`);
  other.close();
  // Opens the ledger as a console does (WAL), writes and is killed with it open, its -wal left beside the path.
  let second: ReturnType<typeof spawnSync> | undefined;
  rename.atSync = () => {
    second = spawnSync(process.execPath, [
      '-e',
      `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))}); const b = new D(${JSON.stringify(file)});
       b.pragma('busy_timeout = 0'); b.pragma('journal_mode = WAL'); b.pragma('wal_autocheckpoint = 0');
       b.prepare("insert into notes values ('second')").run(); process.kill(process.pid, 'SIGKILL');`,
    ]);
  };
  expect(replaceLedgerFile(ledger.sqlite, newFile)).toBe(true);
  // Before: the old file's frames in that -wal were read into the new file, which read as the old one ('old', 'second').
  expect(ledger.sqlite.prepare('select count(*) from notes').pluck().get()).toBe(100);
  expect(second?.signal ?? null).toBeNull(); // refused (database is locked) before it wrote: it exited with its error, not killed
  expect(ledger.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
  await ledger.close();
});
