/**
 * `npm run bench:sync [-- --events N] [-- --against DIR]`: a central server
 * on a throw-away PostgreSQL cluster (Debian's binaries) fed with N purchases
 * (default 200,000; the issue's figure is 1,000,000), then a console with a
 * file-backed SQLite ledger pulling the whole log over loopback while a page
 * keeps reading, then the ledger grid's first page over the rows.
 *
 * With --against DIR (a worktree of another commit, e.g. `git worktree add
 * /tmp/old505 505fca8`), that commit's own bench:sync runs first on the same
 * generated input (same N, same seed), so both rates come from one run at one
 * load. Asserts its goals (exit 1 when one is missed) and prints the ratio to
 * the stored baseline (baselines/sync.json), with the load average by every figure.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readsDuring } from './page-reads.js';
import { parseArgs } from 'node:util';
import { applyWorkerFromSource } from '../../shared/node/backend/apply-worker-source.js';
import { createBackend, DATABASE_FILE } from '../../shared/node/backend/backend.js';
import { SyncClient } from '../../shared/node/sync/client.js';
import { spec2022 } from '../../tests/support/specs.js';
import { queryDb, startPostgres } from '../../tests/support/postgres.js';
import { YEAR_ROUND, yearCopy, yearLog } from './year-log.js';
import { openSaleRound, startServerProcess, type ServerProcess } from '../../tests/support/server-process.js';
import { Agent, fetch as patientFetch } from 'undici';
import { bytesLine, snapshotBytes } from './snapshot-bytes.js';
import { median, ms, percentile, table } from './stats.js';

const { values: args } = parseArgs({ options: { events: { type: 'string' }, against: { type: 'string' }, refresh: { type: 'string' }, 'skip-replay': { type: 'boolean' }, year: { type: 'string' } } });
/**
 * `--year P,K,D`: instead of feeding purchases, a year's log made once and cached (year-log.ts: P purchases
 * over D sale days, each lot spent in K uses, settled days folded a week later) — issue 21's 10M-event run
 * is `--year 1000000,9,20` (1M purchases + 9M uses). No refresh (that year's round has closed).
 */
const YEAR = args.year ? (args.year.split(',').map(Number) as [number, number, number]) : null;
if (YEAR && (YEAR.length !== 3 || YEAR.some((v) => !Number.isInteger(v) || v < 1))) throw new Error(`--year must be purchases,usesPerLot,days (whole numbers), not ${args.year}`);
const ROUND = YEAR ? YEAR_ROUND : 'bench';
/** `--skip-replay`: only the snapshot half (a quick look at its phases and sizes); the ratio to replay, a goal, then goes unmeasured. */
const SKIP_REPLAY = args['skip-replay'] === true;
const N = Number(args.events ?? process.env.BENCH_SYNC_EVENTS ?? 200_000);
if (!Number.isInteger(N) || N < 1_000) throw new Error(`--events must be a whole number of at least 1,000, not ${args.events}`);
const rate = (n: number, t: number) => `${Math.round((n / t) * 1000).toLocaleString('en-US')}/s`;
const load = () => `load ${loadavg()[0]!.toFixed(1)}`;
const baseline = JSON.parse(readFileSync(new URL('./baselines/sync.json', import.meta.url), 'utf8')) as { commit: string; eventsPerSecond: number; loadAverage: number };
/** First sync by snapshot ÷ by replay before the file swap (issue 21), so the ratio shows a regression. */
const snapshotBaseline = JSON.parse(readFileSync(new URL('./baselines/sync-snapshot.json', import.meta.url), 'utf8')) as { commit: string; events: number; speedup: number };
/**
 * The feed answers when its last purchase is in: 1M took over the 300 s fetch gives a reply's headers by default
 * at load 8-10 ("Headers Timeout Error" before any figure). The bench's own requests wait as long as they take.
 */
const PATIENT = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
/** The UI's goal while a sync runs: a page's read answers within this (issue 21). */
const READ_GOAL_MS = 100;

/** Runs another commit's bench:sync on the same input; returns its pull rate in events/s, read from its printed table. */
function runOther(dir: string): Promise<{ perSecond: number; line: string }> {
  return new Promise((resolve, reject) => {
    execFile('npx', ['tsx', 'scripts/bench/sync-bench.ts'], { cwd: dir, env: { ...process.env, BENCH_SYNC_EVENTS: String(N) }, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`bench in ${dir} failed: ${err.message}\n${stderr}`));
      const line = stdout.split('\n').find((l) => l.includes('console: pull over loopback'));
      const m = line && / = ([\d,]+)\/s/.exec(line);
      if (!m) return reject(new Error(`no pull rate in the output of ${dir}:\n${stdout}`));
      resolve({ perSecond: Number(m[1]!.replaceAll(',', '')), line: line!.trim() });
    });
  });
}

async function main(): Promise<void> {
  console.log(`Sync benchmark (${new Date().toISOString()}, ${cpus().length} cores, Node ${process.version}, ${load()}), ${YEAR ? `the cached year ${args.year} (purchases, uses a lot, days)` : `${N.toLocaleString('en-US')} purchases`}`);
  const rows: [string, string][] = [];
  const failures: string[] = [];
  let other: { perSecond: number; line: string } | undefined;
  if (args.against) {
    const t0 = performance.now();
    if (YEAR) throw new Error('--against compares fed purchases; it does not take --year');
    other = await runOther(args.against);
    rows.push([`${args.against}: its own bench, pull`, `${other.perSecond.toLocaleString('en-US')} events/s (${load()}, ran ${((performance.now() - t0) / 1000).toFixed(0)} s)`]);
  }
  const year = YEAR ? await yearLog({ purchases: YEAR[0], usesPerLot: YEAR[1], days: YEAR[2] }) : null;
  if (year) rows.push(['the year (.bench-cache)', `${year.manifest.purchases.toLocaleString('en-US')} purchases + ${year.manifest.uses.toLocaleString('en-US')} uses folded into ${year.manifest.checkpoints.toLocaleString('en-US')} checkpoints = ${year.manifest.events.toLocaleString('en-US')} events${year.made ? `, made now in ${year.manifest.madeInSeconds} s` : ', cached'}`]);
  const pg = year?.pg ?? (await startPostgres());
  const copy = `bench_${Date.now()}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'ic-bench-sync-'));
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess(year ? await yearCopy(pg, copy) : await pg.createDatabase('bench'));
    const url = server.url;
    const post = async (path: string, body: unknown, token?: string) => {
      const res = await patientFetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
        dispatcher: PATIENT,
      });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<any>;
    };
    // The cached year's server already has its administrator (year-log.ts), so `--admin root` made none.
    const root = (await post('/api/auth/sign-in', year ? { username: 'admin', password: 'admin-password-1' } : { username: 'root', password: 'root-password-1' })).token as string;
    await post('/api/users', { username: 'office', displayName: 'office', password: 'office-password-1', role: 'official', districtCode: null }, root);
    let t = performance.now();
    if (!year) {
      // A round large enough for a million full-limit buyers, on sale (proposed, approved by another official, opened).
      await openSaleRound(url, root, 'bench', spec2022({ name: 'bench', totalAmount: 500_000_000_000 }));
      t = performance.now();
      const fed = await post('/api/feed/sale', { roundId: 'bench', purchases: N, seed: 1, usesShare: 0 }, root);
      const feedMs = performance.now() - t;
      rows.push(['server: sales feed into PostgreSQL', `${fed.purchases.toLocaleString('en-US')} purchases in ${(feedMs / 1000).toFixed(1)} s (${rate(fed.purchases, feedMs)}, ${load()})`]);
    }
    /** The snapshot half, last; a run of half an hour must not lose what it measured to a failure there. */
    const snapshotHalf = (replayMs: number) =>
      firstSyncBySnapshot(url, root, replayMs, rows, failures).catch((e: unknown) => {
        console.log(`${table(rows)}\n(stopped here)`);
        throw e;
      });
    /** What the pull must reach: every event of the cached year, or at least the purchases fed. */
    const want = year?.manifest.events ?? N;

    if (SKIP_REPLAY) {
      await snapshotHalf(Number.NaN);
      console.log(table(rows));
      console.log(`\nReplay skipped: the ratio goal was not measured${failures.length > 0 ? `; missed (${load()}):\n${failures.map((f) => `  - ${f}`).join('\n')}` : '.'}`);
      if (failures.length > 0) process.exitCode = 1;
      return;
    }
    const { backend, call, token } = await connectedConsole(dataDir, url);

    const controller = new AbortController();
    // This console replays the whole log, as a console did before snapshots: it is told the server has none
    // (asking would also start the server's build, which would then share the CPU with this pull).
    const askSnapshot = SyncClient.prototype.snapshot;
    SyncClient.prototype.snapshot = async () => null;
    t = performance.now();
    const pull = backend.deps.sync.run({ signal: controller.signal, progress: () => {} } as never).finally(() => (SyncClient.prototype.snapshot = askSnapshot));
    // A page open meanwhile: the status bar's poll and the ledger grid's first page, one after the other, as the UI does.
    const { result: summary, reads } = await readsDuring(pull, call, token, ROUND);
    const pullMs = performance.now() - t;
    const size = statSync(join(dataDir, DATABASE_FILE)).size;
    const perSecond = (summary.pulled / pullMs) * 1000;
    rows.push(['console: pull over loopback into SQLite', `${summary.pulled.toLocaleString('en-US')} events in ${(pullMs / 1000).toFixed(2)} s = ${rate(summary.pulled, pullMs)} (${load()})`]);
    rows.push([`  against baseline ${baseline.commit} (${baseline.eventsPerSecond.toLocaleString('en-US')}/s at load ${baseline.loadAverage})`, `× ${(perSecond / baseline.eventsPerSecond).toFixed(2)}`]);
    if (other) rows.push([`  against ${args.against} in this run`, `× ${(perSecond / other.perSecond).toFixed(2)}`]);
    const goalRate = other?.perSecond ?? baseline.eventsPerSecond;
    if (perSecond < goalRate) failures.push(`pull ${Math.round(perSecond)}/s is slower than ${other ? args.against + ' in this run' : 'the baseline'} (${goalRate}/s)`);
    const p95 = percentile(reads, 95);
    rows.push(['reads during the pull (status + grid page)', `${reads.length} reads, median ${ms(median(reads))}, p95 ${ms(p95)}, max ${ms(Math.max(...reads))} (goal p95 < ${READ_GOAL_MS} ms)`]);
    if (!(p95 < READ_GOAL_MS)) failures.push(`reads during the pull: p95 ${p95.toFixed(0)} ms, goal < ${READ_GOAL_MS} ms`);
    rows.push(['console: ledger file after the pull', `${(size / 2 ** 20).toFixed(0)} MiB`]);
    const chain = (await call('sync.status', {}, token)).chainStatus;
    rows.push(['console: chain check at the head', chain]);
    if (chain !== 'ok') failures.push(`chain at the head: ${chain}`);
    if (summary.pulled < want) failures.push(`pulled ${summary.pulled} events, fewer than the ${want} ${year ? 'events of the year' : 'purchases fed'}`);

    const timeIt = async (input: Record<string, unknown>, times = 7) => {
      const samples: number[] = [];
      for (let i = 0; i < times; i++) {
        const s = performance.now();
        await call('ledger.rows', { roundId: ROUND, startRow: 0, endRow: 100, ...input }, token);
        samples.push(performance.now() - s);
      }
      return median(samples);
    };
    rows.push([`ledger grid: first page (100 rows + row count), newest first (${load()})`, ms(await timeIt({}))]);
    rows.push(['ledger grid: first page, one district', ms(await timeIt({ districtCode: '11680' }))]);
    rows.push(['ledger grid: first page, one payment method', ms(await timeIt({ paymentMethod: 'debit_card' }))]);
    rows.push(['ledger grid: first page sorted by amount', ms(await timeIt({ sort: 'amount' }))]);
    rows.push(['ledger grid: first page sorted by time, oldest first', ms(await timeIt({ sort: 'occurredAt', direction: 'asc' }))]);
    const half = Math.floor((year?.manifest.purchases ?? N) / 2);
    rows.push([`ledger grid: a block ${half.toLocaleString('en-US')} rows down`, ms(await timeIt({ startRow: half, endRow: half + 100 }))]);
    t = performance.now();
    await call('ledger.totals', { roundId: ROUND }, token);
    rows.push(['ledger totals, local and server', ms(performance.now() - t)]);

    await backend.close();
    await snapshotHalf(pullMs);
    console.log(table(rows));
    if (failures.length > 0) {
      console.log(`\nGoals missed (${load()}):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
      process.exitCode = 1;
    } else console.log('\nAll goals met.');
  } finally {
    await server?.stop();
    // The cached year's cluster stays; only this run's copy of it goes.
    if (year) await queryDb(pg.url, `drop database if exists "${copy}"`);
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A fresh console in `dataDir`, its administrator signed in and connected to the server as the official. */
async function connectedConsole(dataDir: string, url: string) {
  // The applier in its own thread, from this tree's TypeScript, as a packaged console runs its bundle.
  const backend = await createBackend({ dataDir, log: () => {}, applyThread: applyWorkerFromSource() });
  const call = async (method: string, input: unknown, session?: string): Promise<any> => {
    const env = await backend.invoke({ method, input, session } as never);
    if (!env.ok) throw new Error(`${method}: ${env.error.message}`);
    return env.result;
  };
  await call('setup.createAdmin', { username: 'admin', displayName: 'admin', password: 'admin-password-1' });
  const { token } = (await call('auth.signIn', { username: 'admin', password: 'admin-password-1' })) as { token: string };
  await call('sync.connect', { serverUrl: url, username: 'office', password: 'office-password-1' }, token);
  return { backend, call, token };
}

/** Issue 21's goals for a first sync by snapshot: at least this many times faster than replaying the log, and under this; the console's peak memory; a clerk's file against the full one. */
const SNAPSHOT_SPEEDUP_GOAL = 10;
/**
 * Issue 21 states the time at two sizes: a 1M-event log under 15 s, 10M under 90 s. Below 1M the 15 s holds,
 * between the two the line through both, past 10M the 10M rate (a year's log was judged by the 1M goal before).
 */
const snapshotFirstSyncGoalMs = (events: number): number =>
  events <= 1_000_000 ? 15_000 : events <= 10_000_000 ? 15_000 + ((events - 1_000_000) * 75_000) / 9_000_000 : (events * 90_000) / 10_000_000;
const SNAPSHOT_MEMORY_GOAL_MIB = 400;
const CLERK_SHARE_GOAL = 1 / 20;
/** New events after which the server's refresh of a snapshot is timed (issue 21: 100k; `--refresh 0` skips it in a short run). */
const REFRESH_EVENTS = Number(args.refresh ?? (YEAR ? 0 : 100_000));
/** The server rebuilds a scope's snapshot once the log grew by this many events (SnapshotStore's rebuildAfter), so a smaller --refresh would wait forever. */
const SERVER_REBUILD_AFTER = 100_000;
if (!Number.isInteger(REFRESH_EVENTS) || (REFRESH_EVENTS !== 0 && REFRESH_EVENTS < SERVER_REBUILD_AFTER))
  throw new Error(`--refresh must be 0 (skip) or at least ${SERVER_REBUILD_AFTER.toLocaleString('en-US')} (the server's rebuild threshold), not ${args.refresh}`);
/** A snapshot not served by then is a failure of the bench, not a wait. */
const SNAPSHOT_WAIT_MS = 30 * 60_000;

/** The snapshot `token`'s scope gets, asked for once (which starts the build) and polled until served at `atLeast`; its manifest and the build's wall time. */
async function snapshotServed(url: string, token: string, atLeast = 1): Promise<{ ms: number; manifest: { seq: number; bytes: number } }> {
  const t = performance.now();
  for (;;) {
    let res: Response;
    try {
      res = await fetch(url + '/api/sync/snapshot', { headers: { authorization: `Bearer ${token}` } });
    } catch (e) {
      // A kept-alive socket the server closed as this poll reused it (its event loop busy with the build for a
      // while, then its idle timer first): a GET asked again on a new socket, as a console's next poll would.
      if ((e as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw e;
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    await res.body?.cancel();
    if (res.ok) {
      const manifest = JSON.parse(Buffer.from(res.headers.get('x-snapshot-manifest')!, 'base64').toString()) as { seq: number; bytes: number };
      if (manifest.seq >= atLeast) return { ms: performance.now() - t, manifest };
    } else if (res.status !== 404) throw new Error(`snapshot: ${res.status}`);
    if (performance.now() - t > SNAPSHOT_WAIT_MS) throw new Error(`no snapshot at seq ≥ ${atLeast} served after ${SNAPSHOT_WAIT_MS / 60_000} min`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const signInAs = async (url: string, username: string, password: string) =>
  ((await (await fetch(url + '/api/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })).json()) as { token: string }).token;

/**
 * The server builds the snapshot of the official's scope (asked for once, then
 * polled until served), then a second, fresh console makes its first sync from
 * it: download, checks, install (page copy into the ledger), and the pull of
 * whatever came after, its peak memory sampled meanwhile. Printed beside the
 * replay of the same log measured just before; then a district clerk's file
 * against the full one, and the server's refresh after REFRESH_EVENTS more.
 */
async function firstSyncBySnapshot(url: string, root: string, replayMs: number, rows: [string, string][], failures: string[]): Promise<void> {
  const office = await signInAs(url, 'office', 'office-password-1');
  const built = await snapshotServed(url, office);
  rows.push(['server: snapshot of the whole log built (official scope)', `${(built.ms / 1000).toFixed(1)} s, ${(built.manifest.bytes / 2 ** 20).toFixed(0)} MiB (${load()})`]);
  // The file's bytes by table are read after the timed first sync and printed here: reading them writes a copy of
  // the file and rebuilds its indexes (1.8 GB at 1M), which the kernel may still be writing back while the console
  // downloads and fsyncs its own copy (its download took 5.3 s, 10.4 s and 14.3 s in three runs at load 6-10).
  const bytesAt = rows.length;
  const dataDir = mkdtempSync(join(tmpdir(), 'ic-bench-snapshot-'));
  const { backend, call, token } = await connectedConsole(dataDir, url);
  try {
    // The console runs in this process: its resident size, sampled, is the console's memory (an upper bound: the bench is in it too).
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const phases: string[] = [];
    let phaseAt = performance.now();
    let phase = '';
    const t = performance.now();
    const summary = await backend.deps.sync
      .run({
        signal: new AbortController().signal,
        progress: (_f: number, p?: string) => {
          if (p && p !== phase) {
            if (phase) phases.push(`${phase.replace(/^.*\.phase/, '')} ${((performance.now() - phaseAt) / 1000).toFixed(1)} s`);
            phase = p;
            phaseAt = performance.now();
          }
        },
      } as never)
      .finally(() => clearInterval(sampler));
    const ms = performance.now() - t;
    if (phase) phases.push(`${phase.replace(/^.*\.phase/, '')} ${((performance.now() - phaseAt) / 1000).toFixed(1)} s`);
    const status = await call('sync.status', {}, token);
    const size = statSync(join(dataDir, DATABASE_FILE)).size;
    const peakMiB = peak / 2 ** 20;
    rows.push(['console: first sync by snapshot (download, checks, install)', `${(ms / 1000).toFixed(2)} s to seq ${status.lastSeq.toLocaleString('en-US')}, ${summary.pulled} events pulled after it (${load()})`]);
    rows.push(['  its phases', phases.join(', ')]);
    rows.push(['console: first sync by replay (above) ÷ by snapshot', `× ${(replayMs / ms).toFixed(1)} (goal ≥ ${SNAPSHOT_SPEEDUP_GOAL}, under ${(snapshotFirstSyncGoalMs(status.lastSeq) / 1000).toFixed(0)} s)`]);
    rows.push([`  against the stored baseline (× ${snapshotBaseline.speedup} on ${snapshotBaseline.events.toLocaleString('en-US')} at ${snapshotBaseline.commit})`, `× ${(replayMs / ms / snapshotBaseline.speedup).toFixed(2)}`]);
    rows.push(['console: ledger file after the snapshot', `${(size / 2 ** 20).toFixed(0)} MiB`]);
    rows.push(['console: peak resident memory during the first sync by snapshot', `${peakMiB.toFixed(0)} MiB (goal < ${SNAPSHOT_MEMORY_GOAL_MIB} MiB)`]);
    if (status.chainStatus !== 'ok') failures.push(`chain after the snapshot: ${status.chainStatus}`);
    if (!Number.isNaN(replayMs) && replayMs / ms < SNAPSHOT_SPEEDUP_GOAL) failures.push(`first sync by snapshot only ×${(replayMs / ms).toFixed(1)} faster than replay (goal ×${SNAPSHOT_SPEEDUP_GOAL})`);
    const timeGoalMs = snapshotFirstSyncGoalMs(status.lastSeq);
    if (ms > timeGoalMs) failures.push(`first sync by snapshot took ${(ms / 1000).toFixed(1)} s (goal < ${(timeGoalMs / 1000).toFixed(0)} s at ${status.lastSeq.toLocaleString('en-US')} events)`);
    if (peakMiB >= SNAPSHOT_MEMORY_GOAL_MIB) failures.push(`peak memory during the first sync by snapshot ${peakMiB.toFixed(0)} MiB (goal < ${SNAPSHOT_MEMORY_GOAL_MIB} MiB)`);
  } finally {
    await backend.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const full = await snapshotBytes(url, office);
  rows.splice(
    bytesAt,
    0,
    ['  its bytes by table and index', bytesLine(full.objects, built.manifest.seq)],
    [
      `  its ${full.rebuild.count} secondary indexes of events and lots, carried or built after install`,
      `${(full.rebuild.bytes / 2 ** 20).toFixed(1)} MiB in the file; ${(full.rebuild.ms / 1000).toFixed(1)} s to build them on it (${load()})`,
    ],
  );

  // A district clerk's snapshot: the lots of one district of 25, the rest digests only.
  const post = async (path: string, body: unknown) => {
    const res = await patientFetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${root}` },
      body: JSON.stringify(body),
      dispatcher: PATIENT,
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  await post('/api/users', { username: 'gangnam', displayName: 'gangnam', password: 'gangnam-password-1', role: 'clerk', districtCode: '11680' });
  const clerk = await snapshotServed(url, await signInAs(url, 'gangnam', 'gangnam-password-1'));
  const share = clerk.manifest.bytes / built.manifest.bytes;
  rows.push(["server: a district clerk's snapshot (강남구) against the full one", `${(clerk.manifest.bytes / 2 ** 20).toFixed(1)} MiB = 1/${(1 / share).toFixed(0)} of ${(built.manifest.bytes / 2 ** 20).toFixed(0)} MiB (goal < 1/${1 / CLERK_SHARE_GOAL}), built in ${(clerk.ms / 1000).toFixed(1)} s`]);
  rows.push(['  its bytes by table and index', bytesLine((await snapshotBytes(url, await signInAs(url, 'gangnam', 'gangnam-password-1'))).objects, clerk.manifest.seq)]);
  if (share >= CLERK_SHARE_GOAL) failures.push(`a clerk's snapshot is 1/${(1 / share).toFixed(1)} of the full one (goal < 1/${1 / CLERK_SHARE_GOAL})`);

  // The server's refresh once the log grew by REFRESH_EVENTS: the next request starts it, the old file is served meanwhile.
  if (REFRESH_EVENTS > 0) {
    await post('/api/feed/sale', { roundId: 'bench', purchases: REFRESH_EVENTS, seed: 2, usesShare: 0 });
    const head = ((await (await fetch(url + '/api/head', { headers: { authorization: `Bearer ${office}` } })).json()) as { seq: number }).seq;
    const refreshed = await snapshotServed(url, office, head);
    rows.push([`server: snapshot refreshed after ${REFRESH_EVENTS.toLocaleString('en-US')} new events`, `${(refreshed.ms / 1000).toFixed(1)} s to seq ${refreshed.manifest.seq.toLocaleString('en-US')}, ${(refreshed.manifest.bytes / 2 ** 20).toFixed(0)} MiB (${load()})`]);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
