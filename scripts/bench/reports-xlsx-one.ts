/** One XLSX export of every event in the ledger at argv[2], in its own process; prints JSON with its peak memory. */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBackend } from '../../shared/node/backend/backend.js';
import { reportParamsSchema } from '../../shared/reports/params.js';
import { exportEventsXlsx } from '../../shared/node/reports/report-export.js';

async function main(): Promise<void> {
const dataDir = process.argv[2]!;
const backend = await createBackend({ dataDir, log: () => {} });
const path = join(dataDir, 'all.xlsx');
const t = performance.now();
const out = await exportEventsXlsx(backend.deps, reportParamsSchema.parse({}), [], { path, lang: 'ko', job: { signal: new AbortController().signal, progress: () => {} } });
const elapsed = performance.now() - t;
await backend.close();
console.log(JSON.stringify({ ...out, ms: elapsed, maxRssMiB: process.resourceUsage().maxRSS / 1024, bytes: statSync(path).size }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
