import BetterSqlite3 from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { randomDataKey, vaultFromKey } from '../secrets/vault.js';
import { connectionOf } from './connection-of.js';
import { openDatabase, replaceLedgerFile } from './open.js';

const dir = mkdtempSync(join(tmpdir(), 'ic-replace-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A database in rollback-journal mode, as a verified snapshot is when it is renamed in. */
function otherFile(name: string, note: string): string {
  const file = join(dir, name);
  const db = new BetterSqlite3(file);
  db.exec('create table notes (text text)');
  db.prepare('insert into notes values (?)').run(note);
  db.close();
  return file;
}

describe('a ledger handle whose file is replaced (a first sync by snapshot, by rename)', () => {
  it('goes on through a new connection on the new file: the same handle and Kysely, its functions and settings bound again, no page copied', async () => {
    const file = join(dir, 'ledger.sqlite');
    const vault = vaultFromKey(randomDataKey());
    const ledger = openDatabase(file, { vault });
    ledger.sqlite.exec("create table notes (text text); insert into notes values ('old')");
    const before = connectionOf(ledger.sqlite);
    const newFile = otherFile('new.sqlite', 'new');

    expect(replaceLedgerFile(ledger.sqlite, newFile)).toBe(true);
    expect(existsSync(newFile)).toBe(false);
    expect(connectionOf(ledger.sqlite)).not.toBe(before);
    expect(before.open).toBe(false);
    expect(ledger.sqlite.prepare('select text from notes').pluck().all()).toEqual(['new']);
    expect((await sql<{ text: string }>`select text from notes`.execute(ledger.db)).rows).toEqual([{ text: 'new' }]);
    expect(ledger.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(ledger.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    const sealed = ledger.sqlite.prepare("select vault_seal('secret')").pluck().get() as string;
    expect(ledger.sqlite.prepare('select vault_open(?)').pluck().get(sealed)).toBe('secret');
    expect(ledger.sqlite.prepare("select pay_key('kicc', '1')").pluck().get()).not.toBeNull();
    // Private to the user, as the file it replaced.
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o077).toBe(0);
    await ledger.close();
    expect(connectionOf(ledger.sqlite).open).toBe(false);
  });

  it('is refused, nothing done, while another connection has the file open (it would go on reading the old one)', async () => {
    const file = join(dir, 'shared.sqlite');
    const ledger = openDatabase(file);
    ledger.sqlite.exec("create table notes (text text); insert into notes values ('old')");
    ledger.sqlite.pragma('busy_timeout = 50');
    const reader = new BetterSqlite3(file);
    reader.prepare('select count(*) from notes').get();
    const newFile = otherFile('refused.sqlite', 'new');
    expect(replaceLedgerFile(ledger.sqlite, newFile)).toBe(false);
    expect(existsSync(newFile)).toBe(true);
    expect(ledger.sqlite.prepare('select text from notes').pluck().all()).toEqual(['old']);
    reader.close();
    await ledger.close();
  });

  it('is refused for a ledger in memory, which has no file', async () => {
    const ledger = openDatabase(':memory:');
    expect(replaceLedgerFile(ledger.sqlite, otherFile('memory.sqlite', 'new'))).toBe(false);
    expect(connectionOf(ledger.sqlite)).toBe(ledger.sqlite);
    await ledger.close();
  });
});
