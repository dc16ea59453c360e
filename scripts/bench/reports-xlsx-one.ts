/**
 * One XLSX export of every event in the ledger at argv[2], in its own process
 * on the bare database (no backend: its start-up audit of the whole log would
 * count in the peak); prints JSON with the export's peak memory.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DATABASE_FILE } from '../../shared/node/backend/backend.js';
import { openDatabase } from '../../shared/node/db/open.js';
import { reportParamsSchema } from '../../shared/reports/params.js';
import { exportEventsXlsx } from '../../shared/node/reports/report-export.js';

async function main(): Promise<void> {
  const dataDir = process.argv[2]!;
  const ledger = openDatabase(join(dataDir, DATABASE_FILE));
  const path = join(dataDir, 'all.xlsx');
  const rssBefore = process.memoryUsage().rss / 2 ** 20;
  const t = performance.now();
  const out = await exportEventsXlsx({ db: ledger.db, sqlite: ledger.sqlite }, reportParamsSchema.parse({}), [], {
    path,
    lang: 'ko',
    job: { signal: new AbortController().signal, progress: () => {} },
  });
  const elapsed = performance.now() - t;
  await ledger.close();
  console.log(JSON.stringify({ ...out, ms: elapsed, rssBeforeMiB: rssBefore, maxRssMiB: process.resourceUsage().maxRSS / 1024, bytes: statSync(path).size }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
