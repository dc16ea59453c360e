import { sql, type Kysely } from 'kysely';
import { performance } from 'node:perf_hooks';
import type { Database } from '../db/schema.js';
import type { JobContext } from '../jobs/job-registry.js';
import { LOG_GENESIS } from '../chain/log-hash.js';
import type { ChainPoint, SyncApplier } from './apply.js';
import { pageHeaderOf, type SyncClient } from './client.js';
import type { ApplyThread } from './apply-thread.js';
import { SyncError } from './sync-error.js';
import { LOG_TABLES } from './page-entry.js';
import { writeSyncState } from './sync-state.js';

export const PAGE_SIZE = 10_000;
/**
 * A page is applied in slices of (a whole number of) this many events, each in its own
 * transaction with the cursor, and the worker answers waiting calls between
 * them: a whole page at once held every read for as long as it took (a
 * second and more on a loaded machine).
 */
export const APPLY_SLICE = 1_000;
/**
 * A slice grows by whole APPLY_SLICEs to what the last one showed fits in this
 * many milliseconds, at most APPLY_SLICE_MAX events: each transaction's commit
 * writes every page its events touched (the random-keyed payment index's leaves
 * over again, the summaries' cells), which cost a quarter of a steady sync at
 * one commit per thousand (issue 21). A read still waits at most about this long.
 */
export const APPLY_SLICE_MS = 80;
/** Never a whole page in one slice, so a page always shows a part-applied state to the reads between its slices. */
export const APPLY_SLICE_MAX = 4 * APPLY_SLICE;

/** The next slice's length from the last one's (`events` applied in `ms`): whole APPLY_SLICEs fitting in APPLY_SLICE_MS. */
export function nextSliceLength(events: number, ms: number): number {
  const fits = Math.floor((events * APPLY_SLICE_MS) / Math.max(ms, 1) / APPLY_SLICE) * APPLY_SLICE;
  return Math.min(APPLY_SLICE_MAX, Math.max(APPLY_SLICE, fits));
}

/**
 * Pages through the log after the cursor until caught up; each page is
 * applied with the cursor in one transaction. The next page is already on
 * its way while one is written, so the network and the disk overlap; a page
 * fetched ahead of a failed one is dropped unread.
 */
export async function pullPages(
  db: Kysely<Database>,
  applier: SyncApplier,
  client: SyncClient,
  ctx: JobContext,
  onApplied: (seq: number, headSeq: number) => void = () => {},
): Promise<number> {
  let pulled = 0;
  const start = applier.cursor().seq;
  const fetchPage = (after: number) => {
    const p = client.page(after, PAGE_SIZE);
    p.catch(() => undefined); // observed when awaited; never an unhandled rejection if dropped
    return p;
  };
  let next = fetchPage(start);
  let deferred = false;
  let length = APPLY_SLICE;
  try {
    for (;;) {
      if (ctx.signal.aborted) throw new SyncError('sync.cancelled');
      const cursor = applier.cursor();
      const page = await next;
      if (page.head.seq < cursor.seq) throw new SyncError('sync.serverBehind', { local: cursor.seq, server: page.head.seq });
      if (page.entries.length === 0) {
        await writeSyncState(db, { head_seq: page.head.seq });
        break;
      }
      const last = page.entries[page.entries.length - 1]!.seq;
      if (last < page.head.seq) next = fetchPage(last);
      if (pulled === 0) deferred = (await db.connection().execute(async () => applier.deferIndexesFor(page.head.seq - cursor.seq))) > 0;
      let applied = cursor;
      for (let i = 0; i < page.entries.length; ) {
        if (i > 0 && ctx.signal.aborted) throw new SyncError('sync.cancelled');
        const slice = page.entries.slice(i, i + length);
        i += slice.length;
        const t = performance.now();
        // Kysely's single connection is held for the synchronous apply, so no other query interleaves with it.
        applied = await db.connection().execute(async () => applier.applyPage(slice, page.head.seq, i >= page.entries.length));
        length = nextSliceLength(slice.length, performance.now() - t);
        pulled += slice.length;
        onApplied(applied.seq, page.head.seq);
        const total = Math.max(1, page.head.seq - start);
        ctx.progress(0.02 + (deferred ? 0.9 : 0.97) * ((applied.seq - start) / total), 'sync.phasePull');
        // The calls that queued up meanwhile are answered now: pages read the last applied state.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (applied.seq >= page.head.seq) break;
    }
  } finally {
    if (deferred) {
      ctx.progress(0.92, 'syncSpeed.phaseIndexes');
      await db.connection().execute(async () => applier.restoreIndexes());
    }
  }
  return pulled;
}

/**
 * pullPages with the applier in its own thread (apply-thread.ts): each page,
 * as the bytes the server sent, is parsed and applied there in ONE transaction,
 * while this thread only waits for it and answers the pages' reads meanwhile
 * from the last committed state. Cancelling stops before the next page.
 */
export async function pullPagesThreaded(
  db: Kysely<Database>,
  thread: ApplyThread,
  client: SyncClient,
  ctx: JobContext,
  onApplied: (seq: number, headSeq: number) => void = () => {},
): Promise<number> {
  const begun = await thread.begin();
  let cursor = begun.cursor;
  const start = cursor.seq;
  const fetchPage = (after: number) => {
    const p = client.pageBytes(after, PAGE_SIZE);
    p.catch(() => undefined); // observed when awaited; never an unhandled rejection if dropped
    return p;
  };
  let next = fetchPage(start);
  // Indexes a catch-up left set aside (its thread died before its end) are built at this pull's end, not left dropped until a restart.
  let deferred = begun.setAside;
  try {
    for (let first = true; ; first = false) {
      if (ctx.signal.aborted) throw new SyncError('sync.cancelled');
      const bytes = await next;
      const { head, count } = pageHeaderOf(bytes, cursor.seq);
      if (head.seq < cursor.seq) throw new SyncError('sync.serverBehind', { local: cursor.seq, server: head.seq });
      if (count === 0) {
        await writeSyncState(db, { head_seq: head.seq });
        break;
      }
      // The page holds the events after the cursor without a gap, or the thread refuses it and this fetch is dropped.
      const last = cursor.seq + count;
      if (last < head.seq) next = fetchPage(last);
      if (first && (await thread.deferIndexesFor(head.seq - cursor.seq)) > 0) deferred = true;
      const applied = await thread.applyPage(bytes, cursor.seq);
      cursor = applied;
      onApplied(applied.seq, head.seq);
      const total = Math.max(1, head.seq - start);
      ctx.progress(0.02 + (deferred ? 0.9 : 0.97) * ((applied.seq - start) / total), 'sync.phasePull');
      if (applied.seq >= head.seq) break;
    }
  } finally {
    if (deferred) {
      ctx.progress(0.92, 'syncSpeed.phaseIndexes');
      await thread.restoreIndexes();
    }
  }
  return cursor.seq - start;
}

/** The local hash at `seq`, from whichever table holds that event. */
export async function localHashAt(db: Kysely<Database>, seq: number): Promise<string | null> {
  if (seq === 0) return LOG_GENESIS;
  const r = await sql<{ hash: string | null }>`${sql.join(
    LOG_TABLES.map((t) => sql`select hash from ${sql.table(t)} where seq = ${seq}`),
    sql` union all `,
  )}`.execute(db);
  return r.rows[0]?.hash ?? null;
}

/** Compares the chain at the local head with the server's; a mismatch is recorded loudly. */
export async function checkChain(db: Kysely<Database>, applier: SyncApplier, client: SyncClient): Promise<ChainPoint> {
  const cursor = applier.cursor();
  const theirs = await client.chainAt(cursor.seq);
  const ours = await localHashAt(db, cursor.seq);
  const ok = theirs.hash === cursor.hash && ours === cursor.hash;
  await writeSyncState(db, { chain_status: ok ? 'ok' : 'mismatch', mismatch_seq: ok ? null : cursor.seq });
  if (!ok) throw new SyncError('sync.chainMismatch', { seq: cursor.seq });
  return cursor;
}
