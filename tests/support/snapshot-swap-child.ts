/**
 * Run as a child process by the kill -9 test, in one of two ways:
 * - `swap LEDGER SNAPSHOT`: carries the ledger's own tables into SNAPSHOT and
 *   swaps it in as a first sync does, saying "copying" on stdout just before
 *   and "done" after;
 * - `sync LEDGER URL HEAD_HASH`: a first sync by snapshot from the test's
 *   server at URL (download with Range resume, checks, swap), saying
 *   "received N" as bytes arrive and "done" at the end.
 */
import { openDatabase } from '../../shared/node/db/open.js';
import { carryOwnTables, swapIn } from '../../shared/node/sync/snapshot-install.js';
import { syncFromSnapshot } from '../../shared/node/sync/snapshot-fetch.js';
import type { SyncClient } from '../../shared/node/sync/client.js';

const [mode, ledgerFile, arg, headHash] = process.argv.slice(2);
const ledger = openDatabase(ledgerFile!);
if (mode === 'swap') {
  carryOwnTables(ledger.sqlite, arg!);
  process.stdout.write('copying\n');
  await swapIn(ledger.sqlite, arg!);
} else {
  const client = {
    snapshot: (resume?: { from: number; etag: string }) =>
      fetch(arg!, { headers: resume ? { range: `bytes=${resume.from}-`, 'if-range': resume.etag } : {} }),
    chainAt: async (seq: number) => ({ seq, hash: headHash! }),
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
