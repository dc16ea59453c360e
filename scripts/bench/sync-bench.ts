/**
 * `npm run bench:sync`: a central server on a throw-away PostgreSQL cluster
 * (Debian's binaries) fed with 1,000,000 purchases, then a console with a
 * file-backed SQLite ledger pulling the whole log over loopback, then the
 * ledger grid's first page over the million rows. Prints figures; asserts nothing.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBackend, DATABASE_FILE } from '../../shared/node/backend/backend.js';
import { spec2022 } from '../../tests/support/specs.js';
import { startPostgres } from '../../tests/support/postgres.js';
import { openSaleRound, startServerProcess, type ServerProcess } from '../../tests/support/server-process.js';
import { median, ms, table } from './stats.js';

const N = Number(process.env.BENCH_SYNC_EVENTS ?? 1_000_000);
const rate = (n: number, t: number) => `${Math.round((n / t) * 1000).toLocaleString('en-US')}/s`;

async function main(): Promise<void> {
  console.log(`Sync benchmark (${new Date().toISOString()}, ${cpus().length} cores, Node ${process.version}), ${N.toLocaleString('en-US')} purchases`);
  const rows: [string, string][] = [];
  const pg = await startPostgres();
  const dataDir = mkdtempSync(join(tmpdir(), 'ic-bench-sync-'));
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess(await pg.createDatabase('bench'));
    const url = server.url;
    const post = async (path: string, body: unknown, token?: string) => {
      const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<any>;
    };
    const root = (await post('/api/auth/sign-in', { username: 'root', password: 'root-password-1' })).token as string;
    await post('/api/users', { username: 'office', displayName: 'office', password: 'office-password-1', role: 'official', districtCode: null }, root);
    // A round large enough for a million full-limit buyers, on sale (proposed, approved by another official, opened).
    await openSaleRound(url, root, 'bench', spec2022({ name: 'bench', totalAmount: 500_000_000_000 }));

    let t = performance.now();
    const fed = await post('/api/feed/sale', { roundId: 'bench', purchases: N, seed: 1, usesShare: 0 }, root);
    const feedMs = performance.now() - t;
    rows.push(['server: sales feed into PostgreSQL', `${fed.purchases.toLocaleString('en-US')} purchases in ${(feedMs / 1000).toFixed(1)} s (${rate(fed.purchases, feedMs)})`]);

    const backend = await createBackend({ dataDir, log: () => {} });
    const call = async (method: string, input: unknown, session?: string): Promise<any> => {
      const env = await backend.invoke({ method, input, session } as never);
      if (!env.ok) throw new Error(`${method}: ${env.error.message}`);
      return env.result;
    };
    await call('setup.createAdmin', { username: 'admin', displayName: 'admin', password: 'admin-password-1' });
    const { token } = await call('auth.signIn', { username: 'admin', password: 'admin-password-1' });
    await call('sync.connect', { serverUrl: url, username: 'office', password: 'office-password-1' }, token);

    const controller = new AbortController();
    t = performance.now();
    const summary = await backend.deps.sync.run({ signal: controller.signal, progress: () => {} } as never);
    const pullMs = performance.now() - t;
    const size = statSync(join(dataDir, DATABASE_FILE)).size;
    rows.push(['console: pull over loopback into SQLite', `${summary.pulled.toLocaleString('en-US')} events in ${(pullMs / 1000).toFixed(2)} s = ${rate(summary.pulled, pullMs)} (goal 200,000/s)`]);
    rows.push(['console: ledger file after the pull', `${(size / 2 ** 20).toFixed(0)} MiB`]);
    rows.push(['console: chain check at the head', (await call('sync.status', {}, token)).chainStatus]);

    const timeIt = async (input: Record<string, unknown>, times = 7) => {
      const samples: number[] = [];
      for (let i = 0; i < times; i++) {
        const s = performance.now();
        await call('ledger.rows', { roundId: 'bench', startRow: 0, endRow: 100, ...input }, token);
        samples.push(performance.now() - s);
      }
      return median(samples);
    };
    rows.push(['ledger grid: first page (100 rows + row count), newest first', ms(await timeIt({}))]);
    rows.push(['ledger grid: first page, one district', ms(await timeIt({ districtCode: '11680' }))]);
    rows.push(['ledger grid: first page, one payment method', ms(await timeIt({ paymentMethod: 'debit_card' }))]);
    rows.push(['ledger grid: first page sorted by amount', ms(await timeIt({ sort: 'amount' }))]);
    rows.push(['ledger grid: first page sorted by time, oldest first', ms(await timeIt({ sort: 'occurredAt', direction: 'asc' }))]);
    rows.push(['ledger grid: a block 500,000 rows down', ms(await timeIt({ startRow: 500_000, endRow: 500_100 }))]);
    t = performance.now();
    await call('ledger.totals', { roundId: 'bench' }, token);
    rows.push(['ledger totals, local and server', ms(performance.now() - t)]);

    console.log(table(rows));
    await backend.close();
  } finally {
    await server?.stop();
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
