/**
 * Run as a child process by the kill -9 test, in one of two ways:
 * - `swap LEDGER SNAPSHOT`: carries the ledger's own tables into SNAPSHOT and
 *   makes it the ledger as a first sync does (by rename), saying "copying" on
 *   stdout just before and "done" after; `copy LEDGER SNAPSHOT` the same with
 *   the page copy a ledger that cannot be renamed falls back to;
 * - `sync LEDGER URL HEAD_HASH`: a first sync by snapshot from the test's
 *   server at URL (download with Range resume, checks, swap), saying
 *   "received N" as bytes arrive and "done" at the end.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { openDatabase } from '../../shared/node/db/open.js';
import { carryOwnTables, installSnapshotFile, swapIn } from '../../shared/node/sync/snapshot-install.js';
import { syncFromSnapshot } from '../../shared/node/sync/snapshot-fetch.js';
import type { SyncClient } from '../../shared/node/sync/client.js';

const [mode, ledgerFile, arg, headHash] = process.argv.slice(2);
// KILL_AT_RENAME=before|after: SIGKILL right before or right after the rename that makes the snapshot the ledger.
const killAt = process.env.KILL_AT_RENAME;
if (killAt) {
  const rename = fs.renameSync;
  fs.renameSync = (from: fs.PathLike, to: fs.PathLike) => {
    if (killAt === 'before' && String(to) === ledgerFile) process.kill(process.pid, 'SIGKILL');
    rename(from, to);
    if (killAt === 'after' && String(to) === ledgerFile) process.kill(process.pid, 'SIGKILL');
  };
  syncBuiltinESMExports();
}
const ledger = openDatabase(ledgerFile!);
if (mode === 'swap' || mode === 'copy') {
  carryOwnTables(ledger.sqlite, arg!);
  process.stdout.write('copying\n');
  // `swap` as a first sync does (the rename); `copy` the page copy it falls back to.
  if (mode === 'swap') await installSnapshotFile(ledger.sqlite, arg!);
  else await swapIn(ledger.sqlite, arg!);
} else {
  // The test's log ends at the snapshot: the server's head is the point the check asked for.
  let asked = 0;
  const client = {
    snapshot: (resume?: { from: number; etag: string }) =>
      fetch(arg!, { headers: resume ? { range: `bytes=${resume.from}-`, 'if-range': resume.etag } : {} }),
    chainAt: async (seq: number) => ({ seq: (asked = seq), hash: headHash! }),
    head: async () => ({ seq: asked, hash: headHash! }),
  } as unknown as SyncClient;
  let said = 0;
  await syncFromSnapshot(
    { sqlite: ledger.sqlite, exclusive: async (fn) => fn(), ledgerFile: ledgerFile!, serverUser: { role: 'admin', districtCode: null } },
    client,
    {
      signal: new AbortController().signal,
      progress: (f) => {
        if (f < 0.62 && f - said > 0.01) process.stdout.write(`received ${(said = f)}\n`);
      },
    },
  );
}
process.stdout.write('done\n');
await ledger.close();
