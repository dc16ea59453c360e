import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { purchaseLog } from '../../../tests/support/purchase-log.js';
import { applyWorkerFromSource } from '../backend/apply-worker-source.js';
import { migrateToLatest, openDatabase, type LedgerDb } from '../db/open.js';
import { ApplyThread } from './apply-thread.js';
import type { SyncClient } from './client.js';
import { PAGE_SIZE, pullPagesThreaded } from './pull.js';

/** The server's page lines (`seq\thash\ttext`) of a round and `n` purchases. */
const logLines = (n: number): string[] => purchaseLog(n).map((e) => `${e.seq}\t${e.hash}\t${e.text}`);

/** Serves `lines` as the server's /api/events does, as bytes. */
function fakeClient(lines: string[]): SyncClient {
  const head = { seq: lines.length, hash: lines.at(-1)!.split('\t')[1]! };
  return {
    pageBytes: async (after: number, limit: number) => {
      const rows = lines.slice(after, after + limit);
      return new TextEncoder().encode([JSON.stringify({ head, after, count: rows.length }), ...rows].join('\n') + '\n');
    },
  } as unknown as SyncClient;
}

let dir: string;
let l: LedgerDb;
let thread: ApplyThread;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ic-apply-thread-'));
  l = openDatabase(join(dir, 'ledger.sqlite'));
  await migrateToLatest(l.db);
  thread = new ApplyThread(applyWorkerFromSource(), l.sqlite.name);
});
afterEach(async () => {
  await thread.close();
  await l.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the sync applier's own thread", () => {
  it('applies each page in one transaction while this thread keeps reading, and a read sees whole pages only', async () => {
    const pages = 3;
    const lines = logLines(pages * PAGE_SIZE - 1); // the round's event and the purchases: three full pages
    const cursor = l.sqlite.prepare('select last_seq from sync_state where id = 1').pluck();
    const events = l.sqlite.prepare('select count(*) from ledger_events').pluck();
    const lots = l.sqlite.prepare('select count(*) from lots').pluck();
    const seen: { seq: number; events: number; lots: number }[] = [];
    let pulling = true;
    const reader = (async () => {
      while (pulling) {
        await new Promise((r) => setTimeout(r, 1));
        // One read transaction: the cursor and the rows it covers, as of the last commit.
        seen.push(l.sqlite.transaction(() => ({ seq: cursor.get() as number, events: events.get() as number, lots: lots.get() as number }))());
      }
    })();
    const ctx = { signal: new AbortController().signal, progress: () => {} };
    const pulled = await pullPagesThreaded(l.db, thread, fakeClient(lines), ctx).finally(() => (pulling = false));
    await reader;
    expect(pulled).toBe(pages * PAGE_SIZE);
    expect(cursor.get()).toBe(pages * PAGE_SIZE);
    // Every state a read saw is a page boundary with exactly the rows of the pages before it.
    for (const s of seen) {
      expect(s.seq % PAGE_SIZE, `a read saw the cursor at ${s.seq}, inside a page`).toBe(0);
      expect(s).toEqual({ seq: s.seq, events: Math.max(0, s.seq - 1), lots: Math.max(0, s.seq - 1) });
    }
    // Reads went on while the pages were written: many per page, not one between each.
    expect(seen.length).toBeGreaterThan(pages * 10);
  });

  it("gives the lock to a transaction of this thread's waiting for it before the next page, not after the pull", async () => {
    const pages = 4;
    const lines = logLines(pages * PAGE_SIZE - 1);
    let write: Promise<number> | undefined;
    const ctx = { signal: new AbortController().signal, progress: () => {} };
    await pullPagesThreaded(l.db, thread, fakeClient(lines), ctx, (seq) => {
      // A handler's write (a refund, the outbox) asked for while the second page is being applied.
      write ??= new Promise((resolve) => setTimeout(resolve, 20)).then(() =>
        l.db.transaction().execute(async (trx) => {
          await trx.updateTable('sync_state').set({ last_attempt_at: 'mine' }).where('id', '=', 1).execute();
          return (await trx.selectFrom('sync_state').select('last_seq').executeTakeFirstOrThrow()).last_seq;
        }),
      );
      expect(seq).toBeGreaterThan(0);
    });
    // It went in between two pages, waiting on the event loop (open.ts), not after the whole pull.
    expect(await write).toBeLessThan(pages * PAGE_SIZE);
  });

  it('ended (the backend closing) during a pull, is not started again by the pull\'s next page', async () => {
    const lines = logLines(3 * PAGE_SIZE - 1);
    let ended: Promise<void> | undefined;
    const ctx = { signal: new AbortController().signal, progress: () => {} };
    // The next page arrives after the end is done (a network's pace).
    const client = fakeClient(lines);
    const slow = { pageBytes: async (after: number, limit: number) => (after > 0 && (await new Promise((r) => setTimeout(r, 300))), client.pageBytes(after, limit)) } as unknown as SyncClient;
    const pull = pullPagesThreaded(l.db, thread, slow, ctx, () => void (ended ??= thread.end()));
    await expect(pull).rejects.toThrow(/ended/);
    await ended;
    // Only the first page: a thread started again after the end applied the rest behind the closed backend.
    expect(l.sqlite.prepare('select last_seq from sync_state').pluck().get()).toBe(PAGE_SIZE);
  });

  it('builds again, at the next pull, the indexes a catch-up set aside when its thread died before the end', async () => {
    const indexes = l.sqlite.prepare("select count(*) from sqlite_master where type = 'index' and tbl_name in ('ledger_events', 'lots')").pluck();
    const all = indexes.get() as number;
    await thread.begin();
    expect(await thread.deferIndexesFor(100_000)).toBeGreaterThan(0);
    // The thread gone mid catch-up (a crash, an out-of-memory exit): the pull's restore of its indexes failed with it.
    await thread.close();
    expect(indexes.get()).toBeLessThan(all);
    const ctx = { signal: new AbortController().signal, progress: () => {} };
    // A small pull next, which sets nothing aside itself: before, the indexes stayed dropped until the console restarted.
    await pullPagesThreaded(l.db, thread, fakeClient(logLines(10)), ctx);
    expect(indexes.get()).toBe(all);
  });

  it('refuses a page that does not chain, writing none of it, and says which event', async () => {
    const lines = logLines(PAGE_SIZE + 10);
    const [seq, , text] = lines[PAGE_SIZE + 5]!.split('\t');
    lines[PAGE_SIZE + 5] = `${seq}\t${'f'.repeat(64)}\t${text}`;
    const ctx = { signal: new AbortController().signal, progress: () => {} };
    await expect(pullPagesThreaded(l.db, thread, fakeClient(lines), ctx)).rejects.toMatchObject({ name: 'SyncError', key: 'sync.hashMismatch', params: { seq: PAGE_SIZE + 6 } });
    // The first page committed; nothing of the second.
    expect(l.sqlite.prepare('select last_seq from sync_state').pluck().get()).toBe(PAGE_SIZE);
    expect(l.sqlite.prepare('select max(seq) from ledger_events').pluck().get()).toBe(PAGE_SIZE);
  });

  it('stops before the next page when cancelled', async () => {
    const lines = logLines(3 * PAGE_SIZE);
    const controller = new AbortController();
    const ctx = { signal: controller.signal, progress: () => controller.abort() };
    await expect(pullPagesThreaded(l.db, thread, fakeClient(lines), ctx)).rejects.toMatchObject({ key: 'sync.cancelled' });
    expect(l.sqlite.prepare('select last_seq from sync_state').pluck().get()).toBe(PAGE_SIZE);
  });
});
