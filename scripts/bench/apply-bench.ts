/**
 * `npx tsx scripts/bench/apply-bench.ts [--events N] [--against DIR [--same-log]] [--turns K] [--steady]`:
 * the console's pull and apply alone, without PostgreSQL. One generated log of
 * N purchases (a round, then purchases spread over districts, payment methods
 * and the sale's hours, with payment references, as the server's sale feed
 * writes them) is served by a stand-in server in this process; a fresh console
 * of this tree, and of DIR (another commit's worktree, e.g. /tmp/old505 at
 * 505fca8) when given, pulls it end to end (without the payment references,
 * which 505fca8 predates and refuses, as bench:sync feeds each its own). The two take turns K times, so
 * both rates are taken at the same load; the best of each is compared, by
 * the clock and by the process's CPU time (which a loaded machine disturbs less).
 *
 * --steady first pulls three quarters of the log, then times the pull of the last quarter
 * (a console that follows a sale, not a first sync: no index is set aside).
 * Prints events/s for each, the ratio, and the load average by every figure.
 * --goal (npm run bench:apply) is issue 21's steady goal: --steady, against /tmp/old505 (505fca8) when
 * that worktree exists, and fails unless this tree applies at least as many events per CPU second as the
 * other in the same run (or, without it, as the stored baseline's 505fca8 figure, a weaker check, since
 * load moves CPU time too); it prints the ratio to the stored baseline (baselines/apply-steady.json).
 * --same-log feeds DIR the very log this tree gets, payment references and all: an A/B of two commits that both take them.
 * --reads reads as a page does while each tree's timed pull runs (the status bar's poll, then the ledger grid's first
 * page, every 50 ms) and prints their median, p95 and max against issue 21's goal (p95 < 100 ms; exit 1 when missed).
 * Not with --goal's CPU figure by default: a tree that answers more reads during its pull spends more CPU on them.
 * --in-thread applies on the backend's own thread in slices, as a ledger in memory does, not in the applier's thread.
 * --profile FILE writes a V8 CPU profile of this tree's last timed pull to FILE, the other's to FILE.against
 * (open them in Chrome's DevTools, or sum them with profile-shares.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readsDuring } from './page-reads.js';
import { parseArgs } from 'node:util';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { DISTRICT_CODES } from '../../shared/common/districts.js';
import { basisPointsOf, SALE_UNIT } from '../../shared/common/money.js';
import type { PurchaseEvent } from '../../shared/ledger/events.js';
import { canonicalEvent, chainHash, LOG_GENESIS } from '../../shared/node/chain/log-hash.js';
import { makePaymentRef, PROVIDER_BY_METHOD } from '../../shared/reconcile/payment-refs.js';
import { streams } from '../../shared/simulation/random.js';
import type { SyncEvent } from '../../shared/sync/protocol.js';
import { spec2022 } from '../../tests/support/specs.js';
import { median, ms, percentile, table } from './stats.js';

/** The UI's goal while a sync runs: a page's read answers within this (issue 21, as in bench:sync). */
const READ_GOAL_MS = 100;

/** Where the reference commit's worktree is kept on the bench machine. */
const OLD_505 = '/tmp/old505';
const { values: args } = parseArgs({ options: { events: { type: 'string' }, against: { type: 'string' }, turns: { type: 'string' }, steady: { type: 'boolean' }, profile: { type: 'string' }, goal: { type: 'boolean' }, 'same-log': { type: 'boolean' }, reads: { type: 'boolean' }, 'in-thread': { type: 'boolean' } } });
// The steady goal (issue 21, `npm run bench:apply`): side by side with 505fca8 wherever its worktree is at hand.
if (args.goal) {
  args.steady = true;
  args.against ??= existsSync(OLD_505) ? OLD_505 : undefined;
}
const N = Number(args.events ?? 200_000);
const TURNS = Number(args.turns ?? 2);
if (!Number.isInteger(N) || N < 1_000) throw new Error(`--events must be a whole number of at least 1,000, not ${args.events}`);
const load = () => `load ${loadavg()[0]!.toFixed(1)}`;
const here = resolve(new URL('../..', import.meta.url).pathname);

const ROUND = 'bench';
const spec = spec2022({ name: 'bench', totalAmount: 500_000_000_000 });

/** The log as the server's page lines (`seq\thash\ttext`), generated once for every console. */
function generateLog(n: number, payments: boolean): string[] {
  const lines: string[] = [];
  let prev = LOG_GENESIS;
  const push = (event: SyncEvent) => {
    const seq = lines.length + 1;
    const text = canonicalEvent(event);
    prev = chainHash(prev, seq, text);
    lines.push(`${seq}\t${prev}\t${text}`);
  };
  push({ type: 'round_published', eventId: 'pub1', roundId: ROUND, version: 1, spec, publishedBy: 'kim', at: '2026-03-02T00:00:00.000Z' });
  const rs = streams(1);
  const opens = Date.parse(spec.opensAt);
  const span = Date.parse(spec.closesAt) - opens;
  const limitUnits = Math.floor(spec.perPersonMonthlyLimit / SALE_UNIT);
  for (let i = 0; i < n; i++) {
    const face = (1 + rs.amounts.below(limitUnits)) * SALE_UNIT;
    const at = new Date(opens + Math.floor((span * i) / n)).toISOString();
    const paymentMethod = spec.paymentMethods[rs.checkout.below(spec.paymentMethods.length)]!;
    const ev: PurchaseEvent = {
      type: 'purchase',
      eventId: `p${i}`,
      roundId: ROUND,
      lotId: `lot-${i}`,
      at,
      buyerId: `buyer-${i}`,
      districtCode: DISTRICT_CODES[rs.order.below(DISTRICT_CODES.length)]!,
      face,
      paid: face - basisPointsOf(face, spec.discountBp),
      paymentMethod,
    };
    if (payments) ev.payment = makePaymentRef(PROVIDER_BY_METHOD[paymentMethod], ev.eventId, at);
    push(ev);
  }
  return lines;
}

/** A stand-in for the central server's sync routes over the log it is given, of which the first `visible` lines are shown. */
async function standIn() {
  let lines: string[] = [];
  let visible = 0;
  const hashAt = (seq: number) => (seq === 0 ? LOG_GENESIS : lines[seq - 1]!.split('\t', 2)[1]!);
  const server = createServer((req, res) => {
    // Read to the end first: a reply before a request's body is read resets a kept-alive connection.
    req.resume();
    req.on('end', () => {
      try {
        answer(req, res);
      } catch (e) {
        console.error(req.url, e);
      }
    });
  });
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url!, 'http://x');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (u.pathname === '/api/auth/sign-in')
      return json(200, { token: 't'.repeat(32), user: { id: 'u1', username: 'office', displayName: 'office', role: 'official', districtCode: null } });
    if (u.pathname === '/api/events') {
      const after = Number(u.searchParams.get('after'));
      const limit = Number(u.searchParams.get('limit'));
      const rows = lines.slice(after, Math.min(visible, after + limit));
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end([JSON.stringify({ head: { seq: visible, hash: hashAt(visible) }, after, count: rows.length }), ...rows].join('\n') + '\n');
    }
    if (u.pathname === '/api/chain') {
      const seq = Number(u.searchParams.get('seq'));
      return json(200, { seq, hash: hashAt(seq) });
    }
    if (u.pathname === '/api/head') return json(200, { seq: visible, hash: hashAt(visible) });
    return json(404, { error: { message: 'no such route' } });
  };
  // A console's fetch keeps its connection between syncs; one the server dropped meanwhile would reset its next request.
  server.keepAliveTimeout = 10 * 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    serve: (log: string[]) => void (lines = log),
    show: (n: number) => void (visible = n),
    close: () => new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}

interface Backend {
  invoke(req: unknown): Promise<{ ok: boolean; result?: any; error?: { message: string } }>;
  deps: { sync: { run(ctx: unknown): Promise<{ pulled: number }> } };
  close(): Promise<void>;
}

/** One console of the tree at `dir`, from nothing: pulls the log (three quarters first when steady) and returns the timed part's events/s. */
/** Bytes this process has handed to write(2) and its kind so far (Linux; 0 elsewhere): a commit's pages and checkpoints, unlike CPU time unmoved by load. */
function bytesWritten(): number {
  try {
    return Number(/^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function pullOnce(dir: string, url: string, show: (n: number) => void, total: number): Promise<{ wall: number; cpu: number; written: number; reads: number[]; grid: number[] }> {
  const { createBackend } = (await import(join(dir, 'shared/node/backend/backend.ts'))) as { createBackend: (o: unknown) => Promise<Backend> };
  const dataDir = mkdtempSync(join(tmpdir(), 'ic-bench-apply-'));
  // A tree with the applier's own thread (issue 21) runs it from its TypeScript, as the bundle runs its own.
  const threadSource = join(dir, 'shared/node/backend/apply-worker-source.ts');
  const applyThread = existsSync(threadSource) && !args['in-thread'] ? ((await import(threadSource)) as { applyWorkerFromSource: () => unknown }).applyWorkerFromSource() : undefined;
  const backend = await createBackend({ dataDir, log: () => {}, ...(applyThread ? { applyThread } : {}) });
  const call = async (method: string, input: unknown, session?: string): Promise<any> => {
    const env = await backend.invoke({ method, input, session });
    if (!env.ok) throw new Error(`${method}: ${env.error!.message}`);
    return env.result;
  };
  const run = () => backend.deps.sync.run({ signal: new AbortController().signal, progress: () => {} });
  try {
    await call('setup.createAdmin', { username: 'admin', displayName: 'admin', password: 'admin-password-1' });
    const { token } = await call('auth.signIn', { username: 'admin', password: 'admin-password-1' });
    await call('sync.connect', { serverUrl: url, username: 'office', password: 'office-password-1' }, token);
    if (args.steady) {
      // Less than the log already held, so the catch-up keeps its indexes (bulk-indexes.ts), as a console following a sale does.
      show(Math.floor((total * 3) / 4));
      await run();
    }
    show(total);
    const profiler = args.profile ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const t = performance.now();
    const c = process.cpuUsage();
    const w = bytesWritten();
    // A page open meanwhile, in every tree alike (the reads cost each some CPU).
    const { result: { pulled }, reads, grid } = await readsDuring(run(), call, token, ROUND, args.reads === true);
    const used = process.cpuUsage(c);
    const written = (bytesWritten() - w) / pulled;
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(dir === here ? args.profile! : `${args.profile!}.against`, JSON.stringify(profile));
      profiler.disconnect();
    }
    return { wall: (pulled / (performance.now() - t)) * 1000, cpu: (pulled / (used.user + used.system)) * 1e6, written, reads, grid };
  } finally {
    await backend.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`Apply benchmark (${new Date().toISOString()}, ${cpus().length} cores, Node ${process.version}, ${load()}), ${N.toLocaleString('en-US')} purchases${args.steady ? ', steady: the last quarter after the rest' : ''}`);
  // Each tree gets what its own server's sale feed writes: the other commit's (505fca8) knows no payment references and refuses them.
  const logs = new Map([[here, generateLog(N, true)]]);
  const server = await standIn();
  const dirs = [here, ...(args.against ? [resolve(args.against)] : [])];
  if (args.against) logs.set(resolve(args.against), args['same-log'] ? logs.get(here)! : generateLog(N, false));
  const rates = new Map<string, number[]>(dirs.map((d) => [d, []]));
  const cpuRates = new Map<string, number[]>(dirs.map((d) => [d, []]));
  const rows: [string, string][] = [];
  const reads = new Map<string, number[]>(dirs.map((d) => [d, []]));
  const grids = new Map<string, number[]>(dirs.map((d) => [d, []]));
  try {
    for (let turn = 0; turn < TURNS; turn++)
      for (const dir of dirs) {
        server.serve(logs.get(dir)!);
        const r = await pullOnce(dir, server.url, server.show, N + 1);
        rates.get(dir)!.push(r.wall);
        cpuRates.get(dir)!.push(r.cpu);
        reads.get(dir)!.push(...r.reads);
        grids.get(dir)!.push(...r.grid);
        rows.push([`turn ${turn + 1}: ${dir}`, `${Math.round(r.wall).toLocaleString('en-US')} events/s, ${Math.round(r.cpu).toLocaleString('en-US')} per CPU second, ${Math.round(r.written).toLocaleString('en-US')} bytes written per event (${load()})`]);
      }
  } finally {
    await server.close();
  }
  const best = (m: Map<string, number[]>, d: string) => Math.max(...m.get(d)!);
  rows.push([`best: ${here}`, `${Math.round(best(rates, here)).toLocaleString('en-US')} events/s, ${Math.round(best(cpuRates, here)).toLocaleString('en-US')} per CPU second`]);
  if (args.against) {
    const other = resolve(args.against);
    rows.push([`best: ${other}`, `${Math.round(best(rates, other)).toLocaleString('en-US')} events/s, ${Math.round(best(cpuRates, other)).toLocaleString('en-US')} per CPU second`]);
    rows.push(['this tree ÷ the other', `× ${(best(rates, here) / best(rates, other)).toFixed(2)} wall, × ${(best(cpuRates, here) / best(cpuRates, other)).toFixed(2)} CPU`]);
  }
  let readsMissed = false;
  if (args.reads)
    for (const dir of dirs) {
      const r = reads.get(dir)!;
      const p95 = percentile(r, 95);
      if (dir === here) readsMissed = !(p95 < READ_GOAL_MS);
      rows.push([`reads during the pulls: ${dir}`, `${r.length} reads, median ${ms(median(r))}, p95 ${ms(p95)}, max ${ms(Math.max(...r))}${dir === here ? `: goal p95 < ${READ_GOAL_MS} ms ${readsMissed ? 'NOT MET' : 'met'}` : ''}`]);
      const g = grids.get(dir)!;
      rows.push([`  of which the grid's first page (a count over the round)`, `median ${ms(median(g))}, p95 ${ms(percentile(g, 95))}, max ${ms(Math.max(...g))}`]);
    }
  if (!args.goal) return console.log(table(rows));
  const baseline = JSON.parse(readFileSync(new URL('./baselines/apply-steady.json', import.meta.url), 'utf8')) as SteadyBaseline;
  if (baseline.events !== N) rows.push(['note', `the baseline was taken on ${baseline.events.toLocaleString('en-US')} purchases, this run on ${N.toLocaleString('en-US')}`]);
  const mine = best(cpuRates, here);
  rows.push([`against baseline ${baseline.commit} (${baseline.perCpuSecond.toLocaleString('en-US')} per CPU second, × ${baseline.ratio} of 505fca8, load ${baseline.loadAverage})`, `× ${(mine / baseline.perCpuSecond).toFixed(2)}`]);
  const yardstick = args.against ? best(cpuRates, resolve(args.against)) : baseline.old505PerCpuSecond;
  const ratio = mine / yardstick;
  rows.push([`goal: steady apply ≥ × 1.00 of 505fca8 by CPU (${args.against ? 'in this run' : 'its stored figure: no worktree at ' + OLD_505})`, `× ${ratio.toFixed(2)} ${ratio >= 1 ? 'met' : 'NOT MET'}`]);
  console.log(table(rows));
  if (ratio < 1 || readsMissed) process.exitCode = 1;
}

/** baselines/apply-steady.json: a measured run of `npm run bench:apply`, copied from its output. */
interface SteadyBaseline {
  commit: string;
  events: number;
  perCpuSecond: number;
  old505PerCpuSecond: number;
  ratio: number;
  loadAverage: number;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
