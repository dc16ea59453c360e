/**
 * `npx tsx scripts/bench/e2e-setup-bench.ts [--runs N]`: where an e2e file's set-up goes. Times each step the
 * files repeat — a server started on a fresh database (its migrations, its root account's scrypt hash), the root's
 * sign-in and one more account (scrypt at the production cost), the console host, Chromium — and the same server
 * started on a copy of an already migrated database, so a shared template is judged by a measured figure. Needs
 * `npm run build` (the host serves dist/). Prints each step's median with the load average.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
// @ts-expect-error -- a plain .mjs build script without type declarations
import { buildServer } from '../build-server.mjs';
import { callOk } from '../../tests/support/http-client.js';
import { createDatabase, startPostgres } from '../../tests/support/postgres.js';
import { startServerProcess, ROOT_PASSWORD, ROOT_USER } from '../../tests/support/server-process.js';
import { launchBrowser, openPage, startHost } from '../../tests/e2e/support.js';
import { median } from './stats.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string' } } });
const RUNS = Number(args.runs ?? 3);
const times: Record<string, number[]> = {};
async function timed<T>(step: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const v = await f();
  (times[step] ??= []).push(performance.now() - t0);
  return v;
}

const bundleDir = mkdtempSync(join(process.cwd(), 'dist', 'bench-server-'));
await buildServer(bundleDir);
process.env.ISSUANCE_TEST_SERVER = join(bundleDir, 'main.cjs');
const pg = await startPostgres();
try {
  // The template: a database the server migrated once, then left alone (PostgreSQL copies one only while unused).
  const templateUrl = await createDatabase(pg.url, 'bench_migrated');
  await (await startServerProcess(templateUrl)).stop();
  for (let i = 0; i < RUNS; i++) {
    const fresh = await timed('server on a fresh database (migrate + root hash)', async () => startServerProcess(await createDatabase(pg.url)));
    const root = await timed('root sign-in (scrypt verify)', async () =>
      (await callOk(fresh.url, 'POST', '/api/auth/sign-in', { username: ROOT_USER, password: ROOT_PASSWORD }, '')).token as string,
    );
    await timed('one more account (scrypt hash)', () =>
      callOk(fresh.url, 'POST', '/api/users', { username: 'admin', displayName: '김관리', password: 'admin-password-1', role: 'admin', districtCode: null }, root),
    );
    await fresh.stop();
    const copied = await timed('server on a copy of a migrated database', async () => startServerProcess(await createDatabase(pg.url, undefined, 'bench_migrated')));
    await copied.stop();
    const host = await timed('console host (fresh data folder)', () => startHost());
    const browser = await timed('Chromium launch', () => launchBrowser());
    await timed('first page open', () => openPage(browser, host.url, []));
    await browser.close();
    await host.stop();
  }
} finally {
  await pg.stop();
  rmSync(bundleDir, { recursive: true, force: true });
}
console.log(`e2e set-up steps, median of ${RUNS} (load ${loadavg()[0]!.toFixed(1)}):`);
for (const [step, t] of Object.entries(times)) console.log(`  ${step.padEnd(52)} ${Math.round(median(t))} ms  (${t.map((x) => Math.round(x)).join(', ')})`);
