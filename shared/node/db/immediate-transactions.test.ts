import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type LedgerDb } from './open.js';

const require = createRequire(import.meta.url);

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

it.each([
  ['a transaction', (db: LedgerDb['db']) => db.transaction().execute((trx) => trx.updateTable('sync_state').set({ last_attempt_at: 'mine' }).where('id', '=', 1).execute())],
  ['a write outside a transaction', (db: LedgerDb['db']) => db.updateTable('sync_state').set({ last_attempt_at: 'mine' }).where('id', '=', 1).execute()],
])("%s waits out another connection's write held past the busy timeout, and this thread goes on meanwhile", async (_what, write) => {
  // The applier's thread holds its lock this long at the end of a large catch-up (the indexes it set aside: 17 s at 1M).
  const holdMs = 6_500;
  const holder = new Worker(
    `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))});
     const { parentPort } = require('node:worker_threads');
     const db = new D(${JSON.stringify(l.sqlite.name)});
     db.exec('begin immediate');
     db.prepare('update sync_state set head_seq = 9 where id = 1').run();
     parentPort.postMessage('held');
     const t = Date.now(); while (Date.now() - t < ${holdMs}) {}
     db.exec('commit'); db.close();`,
    { eval: true },
  );
  await new Promise((resolve) => holder.once('message', resolve));
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 50);
  try {
    // Failed with SQLITE_BUSY after 5 s of SQLite's busy handler, this thread blocked throughout (no tick).
    await write(l.db);
  } finally {
    clearInterval(ticker);
    await holder.terminate();
  }
  expect(l.sqlite.prepare('select head_seq, last_attempt_at from sync_state where id = 1').get()).toEqual({ head_seq: 9, last_attempt_at: 'mine' });
  expect(ticks).toBeGreaterThan(20);
  // The busy timeout of the connection's other users is as it was.
  expect(l.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
}, 20_000);
