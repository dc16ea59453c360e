import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream } from 'node:fs';
import { migrateToLatest, openDatabase } from '../db/open.js';
import type BetterSqlite3 from 'better-sqlite3';
import { SyncApplier, type ChainPoint, type PageEntry } from './apply.js';
import { APPLY_SLICE } from './pull.js';
import { deferIndexes, restoreIndexes, worthDeferring } from './bulk-indexes.js';
import type { LedgerWriteHook } from './sync-hooks.js';
import { foldRedactedRuns } from './snapshot-ranges.js';

export interface BuiltSnapshot extends ChainPoint {
  sha256: string;
  bytes: number;
}

/** SHA-256 and size of a file, read as a stream (a snapshot can be a gigabyte). */
export async function fileDigest(file: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    h.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: h.digest('hex'), bytes };
}

/**
 * Builds a console ledger at `file` from a scoped event stream: the console's
 * own migrations, then the console's own applier (and the hooks that keep
 * the report summaries) over every page, so the file is exactly what a
 * console replaying the same pages would hold. Indexes are built once at the
 * end; the file is left as one self-contained database (no -wal beside it).
 * Between slices the event loop gets a turn, so a server building in the
 * background keeps answering.
 *
 * Runs of events the scope may not read are folded into one link each
 * (snapshot-ranges.ts).
 *
 * With `base` (the last snapshot of the same scope, built at this schema),
 * the file starts as a copy of it and `pages` carry only the events after
 * its sequence: a refresh then costs the new events, not the whole log again
 * (the applier continues from the copy's cursor as a console's steady pull
 * does, so the result is the same file a build from scratch makes; tested).
 */
export async function buildSnapshotFile(
  file: string,
  pages: AsyncIterable<readonly PageEntry[]>,
  headSeq: number,
  ledgerWrites: readonly LedgerWriteHook[],
  afterMigrate: (sqlite: BetterSqlite3.Database) => void,
  base?: string,
): Promise<BuiltSnapshot> {
  if (base) copyFileSync(base, file);
  const ledger = openDatabase(file);
  let cursor: ChainPoint;
  try {
    await migrateToLatest(ledger.db);
    afterMigrate(ledger.sqlite);
    // Nothing else writes this file, and a build stopped part-way is thrown away whole.
    ledger.sqlite.pragma('synchronous = OFF');
    const applier = new SyncApplier(ledger.sqlite, ledgerWrites);
    // From scratch the indexes are built once at the end; on a base, only when the new events outnumber it.
    if (!base || worthDeferring(ledger.sqlite, headSeq - applier.cursor().seq)) deferIndexes(ledger.sqlite);
    for await (const page of pages) {
      for (let i = 0; i < page.length; i += APPLY_SLICE) {
        applier.applyPage(page.slice(i, i + APPLY_SLICE), headSeq);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const folded = foldRedactedRuns(ledger.sqlite);
    restoreIndexes(ledger.sqlite);
    cursor = applier.cursor();
    ledger.sqlite.pragma('journal_mode = DELETE');
    // The rows folded left free pages: the file goes out without them.
    if (folded > 0) ledger.sqlite.exec('vacuum');
  } finally {
    await ledger.close();
  }
  return { ...cursor, ...(await fileDigest(file)) };
}
