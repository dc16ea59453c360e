import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type LedgerDb } from './open.js';

let dir: string;
let l: LedgerDb;
let other: BetterSqlite3.Database;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ic-immediate-'));
  l = openDatabase(join(dir, 'ledger.sqlite'));
  await migrateToLatest(l.db);
  // A second writer, as the sync applier's thread is (apply-thread.ts); it does not wait here, in one thread.
  other = new BetterSqlite3(l.sqlite.name);
  other.pragma('busy_timeout = 0');
});
afterEach(async () => {
  other.close();
  await l.close();
  rmSync(dir, { recursive: true, force: true });
});

it("a transaction that reads, then writes, is not broken by another connection's commit in between", async () => {
  let otherWrote: boolean | undefined;
  await l.db.transaction().execute(async (trx) => {
    await trx.selectFrom('sync_state').selectAll().execute();
    // The other connection commits meanwhile, if it can: a deferred transaction would let it, then fail its own
    // write below with SQLITE_BUSY (a stale snapshot); an immediate one holds the write lock, so the other waits.
    try {
      other.prepare('update sync_state set head_seq = 7 where id = 1').run();
      otherWrote = true;
    } catch (e) {
      otherWrote = false;
      expect((e as { code?: string }).code).toBe('SQLITE_BUSY');
    }
    await trx.updateTable('sync_state').set({ last_attempt_at: 'mine' }).where('id', '=', 1).execute();
  });
  expect(otherWrote).toBe(false);
  expect(l.sqlite.prepare('select last_attempt_at from sync_state where id = 1').pluck().get()).toBe('mine');
});
