import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { purchaseLog } from '../../../tests/support/purchase-log.js';
import { createBackend, DATABASE_FILE } from '../backend/backend.js';
import { LEDGER_WRITE_HOOKS } from '../backend/hooks.js';
import { migrateToLatest, openDatabase, type LedgerDb } from '../db/open.js';
import { SyncApplier, type PageEntry } from './apply.js';
import { deferIndexes } from './bulk-indexes.js';
import type { SyncClient } from './client.js';
import { APPLY_SLICE_MS, pullPages } from './pull.js';

const log = purchaseLog;

/** Serves `entries` in pages as the server's /api/events does; `corrupt` spoils one event's hash. */
function fakeClient(entries: PageEntry[], corrupt?: number): SyncClient {
  const head = { seq: entries.length, hash: entries.at(-1)!.hash };
  return {
    page: async (after: number, limit: number) => ({
      head,
      entries: entries.slice(after, after + limit).map((e) => (e.seq === corrupt ? { ...e, hash: 'f'.repeat(64) } : e)),
    }),
  } as unknown as SyncClient;
}

const INDEX_SQL = "select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in ('ledger_events', 'lots') order by name";

let l: LedgerDb;

/** The daily report summary's totals over every cell. */
function summed(sqlite = l.sqlite) {
  return sqlite.prepare('select coalesce(sum(n), 0) as n, coalesce(sum(amount), 0) as amount, coalesce(sum(paid), 0) as paid from report_facts_day').get() as {
    n: number;
    amount: number;
    paid: number;
  };
}
beforeEach(async () => {
  l = openDatabase(':memory:');
  await migrateToLatest(l.db);
});
afterEach(() => l.close());

describe('indexes set aside for a large catch-up', () => {
  it('are dropped during a first sync of 25,000 events and built again, the same, after it', async () => {
    const before = l.sqlite.prepare(INDEX_SQL).all() as { name: string }[];
    // The indexes the counter, reports and reconciliation read, named here by hand from the migrations
    // (payment keys are found through the table pay_keys since 0044, whose rows each slice writes).
    expect(before.map((r) => r.name)).toEqual(expect.arrayContaining(['lots_buyer', 'lots_district_purchased', 'ledger_events_pay_time', 'ledger_events_returns']));
    const applier = new SyncApplier(l.sqlite, LEDGER_WRITE_HOOKS);
    const seen: string[][] = [];
    const ctx = { signal: new AbortController().signal, progress: () => seen.push((l.sqlite.prepare(INDEX_SQL).all() as { name: string }[]).map((r) => r.name)) };
    expect(await pullPages(l.db, applier, fakeClient(log(25_000)), ctx)).toBe(25_001);
    // While pages were applied only the indexes the applier and the grid's first page read were left.
    expect(seen[0]).toEqual(['ledger_events_round', 'lots_holder']);
    expect(l.sqlite.prepare(INDEX_SQL).all()).toEqual(before);
    expect(l.sqlite.prepare('select count(*) from deferred_indexes').pluck().get()).toBe(0);
    expect(l.sqlite.prepare('select count(*) from lots').pluck().get()).toBe(25_000);
  });

  it('sum the summaries once at the end, and they hold every purchase of the catch-up', async () => {
    const applier = new SyncApplier(l.sqlite, LEDGER_WRITE_HOOKS);
    const sums: number[] = [];
    const ctx = { signal: new AbortController().signal, progress: () => sums.push(summed().n) };
    await pullPages(l.db, applier, fakeClient(log(25_000)), ctx);
    // Held back while the slices went in (reports read them as of their watermark), then summed in one go.
    expect(sums.slice(0, -1).every((n) => n === 0)).toBe(true);
    // 25,000 purchases of 10,000 won at 7% off: 250,000,000 won face, 232,500,000 won paid.
    expect(summed()).toEqual({ n: 25_000, amount: 250_000_000, paid: 232_500_000 });
    expect(l.sqlite.prepare('select last_seq from report_facts_state').pluck().get()).toBe(25_001);
  });

  it('keep their indexes for a small pull, or one smaller than the log already held', async () => {
    const applier = new SyncApplier(l.sqlite, LEDGER_WRITE_HOOKS);
    expect(applier.deferIndexesFor(19_999)).toBe(0);
    const entries = log(25_000);
    applier.applyPage(entries.slice(0, 10_000), entries.length);
    // 9,999 purchases held: a catch-up of 9,998 keeps the indexes, one of 20,000 sets them aside.
    expect(applier.deferIndexesFor(9_998)).toBe(0);
    expect(applier.deferIndexesFor(20_000)).toBeGreaterThan(5);
    expect(applier.restoreIndexes()).toBeGreaterThan(5);
  });

  it('are built again when a page in the middle is refused, with the slices before it kept', async () => {
    const before = l.sqlite.prepare(INDEX_SQL).all();
    const applier = new SyncApplier(l.sqlite, LEDGER_WRITE_HOOKS);
    const ctx = { signal: new AbortController().signal, progress: () => {} };
    // Each slice seems to take its whole time budget, so slices stay at 1,000 events: they grow on a fast machine
    // (pull.ts nextSliceLength), and where the cut falls would depend on how loaded the machine was.
    let now = 0;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => (now += APPLY_SLICE_MS));
    await expect(pullPages(l.db, applier, fakeClient(log(25_000), 15_000), ctx)).rejects.toThrow(/hash|체인|chain/i);
    expect(clock).toHaveBeenCalled();
    clock.mockRestore();
    expect(l.sqlite.prepare(INDEX_SQL).all()).toEqual(before);
    expect(applier.cursor().seq).toBe(14_000); // pages go in slices of 1,000, each with its cursor
    // The summaries hold what was kept: the 13,999 purchases after the round's publication.
    expect(summed()).toEqual({ n: 13_999, amount: 139_990_000, paid: 130_190_700 });
  });
});

describe('a console stopped in the middle of a catch-up', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ic-bulk-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens with the indexes it had set aside built again', async () => {
    const first = await createBackend({ dataDir: dir, log: () => {} });
    const before = first.deps.sqlite.prepare(INDEX_SQL).all();
    expect(deferIndexes(first.deps.sqlite)).toBeGreaterThan(5);
    await first.close(); // as if the process stopped before the catch-up ended
    const stopped = openDatabase(join(dir, DATABASE_FILE));
    expect(stopped.sqlite.prepare(INDEX_SQL).all()).toEqual([
      { name: 'ledger_events_round', sql: expect.any(String) },
      { name: 'lots_holder', sql: expect.any(String) },
    ]);
    await stopped.close();
    const again = await createBackend({ dataDir: dir, log: () => {} });
    expect(again.deps.sqlite.prepare(INDEX_SQL).all()).toEqual(before);
    await again.close();
  });

  it('opens with the summaries given what the slices before the stop wrote', async () => {
    const first = await createBackend({ dataDir: dir, log: () => {} });
    const applier = new SyncApplier(first.deps.sqlite, LEDGER_WRITE_HOOKS);
    expect(applier.deferIndexesFor(25_001)).toBeGreaterThan(5);
    applier.applyPage(log(25_000).slice(0, 1_000), 25_001);
    expect(summed(first.deps.sqlite).n).toBe(0); // held back for the end of the catch-up
    await first.close(); // stopped before it
    const again = await createBackend({ dataDir: dir, log: () => {} });
    // The 999 purchases after the round's publication, 10,000 won each at 7% off.
    expect(summed(again.deps.sqlite)).toEqual({ n: 999, amount: 9_990_000, paid: 9_290_700 });
    await again.close();
  });
});
