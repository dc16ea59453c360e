/**
 * npm run bench:sale -- [--processes 1|2] [--cluster] [--buckets N] [--duration S] [--rate N] [--polls N] [--only polls|purchases] [--connections N] [--pipelining N] [--profile DIR] [--server FILE[,FILE]] [--enforce-goal] [--write-baseline]
 *
 * The sale under load on this machine, load generator included: a throw-away
 * PostgreSQL (as the tests start it), a private redis-server and 1 or 2 sale
 * processes (`node dist/server/main.cjs --sale`, one Redis, one SALE_SECRET;
 * requests go round-robin as a load balancer would). Fresh buyers join, poll
 * until admitted and buy at `--rate` a second while ticket holders poll at
 * `--polls` a second, for `--duration` seconds (≤ 60, so the whole run stays
 * within 90 s). Then: the ledger writer's lag back to 0 (within 5 s), the
 * sale check (nothing oversold, over a limit, lost or doubled), where the CPU
 * went (/proc), the goal and the ratio to scripts/bench/baselines/sale.json.
 * Exits 1 on a wrong result; a missed speed goal only with --enforce-goal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { freePort } from '../../server/net/free-port.js';
import { startPrivateCluster } from '../../server/sale/private-cluster.js';
import { startPrivateRedis } from '../../server/sale/private-redis.js';
import { sign } from '../../server/sale/signing.js';
import { argValue } from '../../shared/node/paths.js';
import { findPreset } from '../../shared/rounds/presets.js';
import { createDatabase, startPostgres } from '../../tests/support/postgres.js';
import { newStats } from '../sale/latency.js';
import { saleProblems } from '../sale/rehearsal.js';
import { SaleClient } from '../sale/sale-client.js';
import { checkOverHttp, RehearsalServer } from '../sale/stack.js';
import { CpuMeter, machineCpu, treeOf } from './proc-cpu.js';

const GOAL = { purchasesPerSecond: 2_000, pollsPerSecond: 10_000, buyP99Ms: 250, pollP99Ms: 100, lagSeconds: 5 };
const BASELINE = 'scripts/bench/baselines/sale.json';
const FACE = 10_000;
/** How long after the load every buyer has to be answered (each request gives up after 30 s; a buyer asks again after no answer). */
const DRAIN_MS = 120_000;

function bounded(name: string, fallback: number, min: number, max: number): number {
  const raw = argValue(process.argv, name);
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}, not '${raw}'`);
  return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function startSaleProcess(serverFile: string, dbUrl: string, redisUrl: string, secretHex: string, dataDir: string, redisArgs: string[], profileDir?: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const port = await freePort();
  // --profile DIR: Node's own sampling profiler, a .cpuprofile per sale process written when it exits (open in Chrome DevTools or speedscope).
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const child = spawn(process.execPath, [...profile, serverFile, '--sale', '--redis', redisUrl, ...redisArgs, '--port', String(port), '--data-dir', dataDir], {
    env: { ...process.env, DATABASE_URL: dbUrl, SALE_SECRET: secretHex },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const on = (b: Buffer) => {
      out += b.toString();
      if (out.includes('Listening at')) resolve();
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', (code) => reject(new Error(`sale process exited (${code}): ${out.slice(-800)}`)));
  });
  // Kept for a wrong result: what the process said (the ledger writer waiting, errors).
  return { child, url: `http://127.0.0.1:${port}`, output: () => out.slice(-3_000) };
}

async function main(): Promise<void> {
  const processes = bounded('processes', 1, 1, 2);
  const duration = bounded('duration', 60, 5, 60);
  // --only polls | purchases: one kind of load, so the CPU a sale process spends is the cost of that kind alone
  // (µs per poll; µs per buyer's join, polls until admitted and purchase).
  const only = argValue(process.argv, 'only');
  if (only !== undefined && only !== 'polls' && only !== 'purchases') throw new Error(`--only must be polls or purchases, not '${only}'`);
  const rate = only === 'polls' ? 0 : bounded('rate', GOAL.purchasesPerSecond, 1, 20_000);
  const pollRate = only === 'purchases' ? 0 : bounded('polls', GOAL.pollsPerSecond, 0, 100_000);
  const connections = bounded('connections', 128, 1, 1_024);
  const pipelining = bounded('pipelining', 1, 1, 64);
  // --server FILE: another build of the server (an older commit's dist/server/main.cjs) to compare with on the same machine and load.
  // --server A,B: one build per sale process (with --processes 2), two builds side by side under the very same load
  // and machine state; each process's CPU per request is then the comparison (requests go round-robin, half each).
  const serverFiles = (argValue(process.argv, 'server') ?? 'dist/server/main.cjs').split(',');
  if (serverFiles.length !== 1 && serverFiles.length !== processes) throw new Error(`--server names one build, or one per process (${processes})`);
  for (const f of serverFiles) if (!existsSync(f)) throw new Error(`${f} missing: run npm run build:server (npm run bench:sale does)`);
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`bench:sale: ${processes} sale process(es), ${duration} s at ${rate} purchases/s and ${pollRate} polls/s; load average ${load()} (${process.env.NICE ?? 'shared machine'})`);

  const secret = randomBytes(32);
  const pg = await startPostgres();
  // --cluster: the 3-primary Redis Cluster on loopback (server/sale/private-cluster.ts), the stock in --buckets buckets
  // spread over the primaries; else one redis-server. Either way AOF everysec.
  const cluster = process.argv.includes('--cluster');
  const buckets = bounded('buckets', cluster ? 6 : 1, 1, 256);
  const redis = cluster ? await startPrivateCluster(3) : await startPrivateRedis();
  const redisPorts = cluster ? (redis as Awaited<ReturnType<typeof startPrivateCluster>>).primaries.map((p) => p.port) : [(redis as Awaited<ReturnType<typeof startPrivateRedis>>).port];
  const redisArgs = [...(cluster ? ['--redis-cluster'] : []), '--buckets', String(buckets)];
  console.log(`Redis: ${cluster ? `a Redis Cluster of 3 primaries (ports ${redisPorts.join(', ')})` : `one redis-server (port ${redisPorts[0]})`}, the stock in ${buckets} bucket(s)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'ic-bench-sale-'));
  const sales: Awaited<ReturnType<typeof startSaleProcess>>[] = [];
  let server: RehearsalServer | undefined;
  let wrong = false;
  try {
    const dbUrl = await createDatabase(pg.url);
    server = await RehearsalServer.start({ databaseUrl: dbUrl });
    // One process at a time: each migrates the database on start.
    const profileDir = argValue(process.argv, 'profile');
    for (let i = 0; i < processes; i++) sales.push(await startSaleProcess(serverFiles[i] ?? serverFiles[0]!, dbUrl, redis.url, secret.toString('hex'), dataDir, redisArgs, profileDir));

    const roundId = `bench-${Date.now()}`;
    const opensAt = new Date(Math.ceil((Date.now() + 3_000) / 1000) * 1000);
    const buyersMax = Math.ceil(rate * duration * 1.1) + 10_000;
    const base = findPreset('seoul-2022-07-14')!.spec(opensAt);
    const spec = {
      ...base,
      name: 'bench:sale',
      totalAmount: buyersMax * FACE,
      opensAt: opensAt.toISOString(),
      closesAt: new Date(opensAt.getTime() + 30 * 60_000).toISOString(),
      waitingRoom: { admissionPerMinute: 1_200_000, maxActiveSessions: 1_000_000, order: 'fifo' as const },
      sessionTimeoutMinutes: 10,
      expectedVisitors: buyersMax,
    };
    await server.openRound(roundId, spec);
    // The pollers wait in a queue of their own that hardly moves (one admission a minute), as most of a big sale's
    // crowd does: their polls are the waiting page's (position and wait band), not an admitted buyer's.
    const waitRoundId = `${roundId}-wait`;
    await server.openRound(waitRoundId, { ...spec, name: 'bench:sale (waiting)', waitingRoom: { admissionPerMinute: 1, maxActiveSessions: 1, order: 'fifo' as const } });
    await sleep(opensAt.getTime() - Date.now() + 100);

    const stats = newStats();
    const client = new SaleClient(sales.map((s) => s.url), stats, connections, pipelining);
    const identity = (buyerId: string) => sign(secret, { kind: 'identity', exp: Date.now() + 600_000, buyerId, districtCode: '11110', birthYear: 1980 });
    const join = async (buyerId: string, round = roundId) => {
      const j = await client.join(round, identity(buyerId));
      if (j?.status !== 200) throw new Error(`join refused: ${JSON.stringify(j?.body)}`);
      return j.body.ticket as string;
    };

    // Ticket holders who only poll (the waiting page): joined before the load, not timed.
    const pollers = await Promise.all(Array.from({ length: Math.min(5_000, Math.max(1, pollRate)) }, (_, i) => join(`poller-${i}`, waitRoundId)));
    for (const k of Object.keys(stats) as (keyof typeof stats)[]) stats[k] = newStats()[k];

    const told: { buyer: string; face: number }[] = [];
    let failures = 0;
    let inFlight = 0;
    let pollsInFlight = 0;
    let started = 0;
    let nextPoller = 0;
    const buyer = async (n: number) => {
      const buyerId = `b-${n}`;
      try {
        const ticket = await join(buyerId);
        for (let i = 0; ; i++) {
          const s = await client.status(roundId, ticket);
          if (s?.body.status === 'admitted') break;
          if (!s || s.status !== 200 || i > 300) throw new Error(`never admitted: ${JSON.stringify(s?.body)}`);
          await sleep(50);
        }
        // As the buyer page does: no answer, or an unknown outcome (202), and the same purchase goes again under the same key,
        // so what the buyer is told is what the gate did (bought once, or refused), never a guess.
        const key = randomUUID().replace(/-/g, '');
        let b = await client.buy(roundId, ticket, FACE, key, 'bank_transfer');
        for (let again = 0; again < 5 && (b === null || b.status === 202); again++) {
          await sleep(200);
          b = await client.buy(roundId, ticket, FACE, key, 'bank_transfer');
        }
        if (b?.status === 200) told.push({ buyer: buyerId, face: FACE });
        else failures++;
      } catch {
        failures++;
      } finally {
        inFlight--;
      }
    };

    const meter = new CpuMeter({
      generator: () => new Set([process.pid]),
      ...Object.fromEntries(sales.map((s, i) => [`sale process ${i + 1}`, (all: ReturnType<typeof import('./proc-cpu.js').processes>) => treeOf(all, [s.child.pid!])])),
      redis: (all) => new Set(all.filter((p) => p.cmdline.startsWith('/usr/bin/redis-server') && redisPorts.some((port) => p.cmdline.includes(`:${port}`))).map((p) => p.pid)),
      postgres: (all) => treeOf(all, all.filter((p) => / -p \d+ /.test(` ${p.cmdline} `) && p.cmdline.includes(` -p ${pg.port} `) && !p.cmdline.startsWith('runuser')).map((p) => p.pid)),
    });
    const fcallsNow = () =>
      redisPorts.reduce((n, port) => {
        const stats = execSync(`redis-cli -p ${port} info commandstats`, { encoding: 'utf8' });
        return n + [...stats.matchAll(/^cmdstat_fcall(?:_ro)?:calls=(\d+)/gm)].reduce((m, x) => m + Number(x[1]), 0);
      }, 0);
    const fcallsBefore = fcallsNow();
    const machineBefore = machineCpu();
    meter.start();
    const t0 = Date.now();
    const end = t0 + duration * 1000;
    // Open loop: every 10 ms the purchases and polls due by then are started, each kind capped in flight so an overloaded server is measured, not buried.
    while (Date.now() < end) {
      const elapsed = (Date.now() - t0) / 1000;
      while (started < rate * elapsed && inFlight < 4_000) {
        inFlight++;
        void buyer(started++);
      }
      const pollsDue = pollRate * elapsed - stats.status.count - pollsInFlight;
      for (let i = 0; i < pollsDue && pollsInFlight < 2_000; i++) {
        pollsInFlight++;
        void client.status(waitRoundId, pollers[nextPoller++ % pollers.length]!).finally(() => pollsInFlight--);
      }
      await sleep(10);
    }
    const loadSeconds = (Date.now() - t0) / 1000;
    const purchasesInWindow = told.length;
    const pollsInWindow = stats.status.count;
    // Every buyer answered before the check, however long an overloaded server takes: a purchase answered while the
    // check reads Redis and the log is told to its buyer and missing from the check. (Issue 19: two runs at load 20–25,
    // p99 above 27 s, checked after a fixed 20 s with buyers still in flight and reported "told" beyond what Redis sold.)
    const drainUntil = Date.now() + DRAIN_MS;
    while ((inFlight > 0 || pollsInFlight > 0) && Date.now() < drainUntil) await sleep(50);
    // CPU from the load's start to its last answer, against every request answered in that time: the cost per request.
    const servedSeconds = (Date.now() - t0) / 1000;
    const cpu = meter.stop();
    const machineAfter = machineCpu();
    const lagFrom = Date.now();
    let check = await checkOverHttp(sales[0]!.url, roundId, server.official);
    while (check.lag > 0 && Date.now() - lagFrom < 10_000) {
      await sleep(100);
      check = await checkOverHttp(sales[0]!.url, roundId, server.official);
    }
    const lagSeconds = (Date.now() - lagFrom) / 1000;
    const toldBefore = told.length;
    check = await checkOverHttp(sales[0]!.url, roundId, server.official);
    await client.close();

    const problems = saleProblems(check, told.slice(0, toldBefore), spec.perPersonMonthlyLimit);
    if (inFlight > 0) problems.push(`${inFlight} buyers still unanswered ${DRAIN_MS / 1000} s after the load: the check cannot be compared with what they are told`);
    if (told.length !== toldBefore) problems.push(`${told.length - toldBefore} buyers were told "bought" while the check ran`);
    if (lagSeconds > GOAL.lagSeconds) problems.push(`ledger writer took ${lagSeconds.toFixed(1)} s to catch up (≤ ${GOAL.lagSeconds} s)`);
    const measured = {
      purchasesPerSecond: purchasesInWindow / loadSeconds,
      pollsPerSecond: pollsInWindow / loadSeconds,
      buyP99Ms: stats.buy.ms(99),
      pollP99Ms: stats.status.ms(99),
    };
    const f1 = (n: number) => n.toFixed(1);
    console.log(`\nload: ${f1(loadSeconds)} s; ${purchasesInWindow} purchases (${f1(measured.purchasesPerSecond)}/s), ${pollsInWindow} polls (${f1(measured.pollsPerSecond)}/s), ${failures} buyers failed`);
    for (const [name, s] of Object.entries(stats)) {
      if (s.count === 0) continue;
      console.log(`  ${name.padEnd(8)} ${String(s.count).padStart(8)} req  p50 ${s.ms(50).toFixed(1).padStart(7)} ms  p99 ${s.ms(99).toFixed(1).padStart(7)} ms  ${[...s.codes].map(([c, n]) => `${c}×${n}`).join(' ')}${s.failures ? `  no answer×${s.failures}` : ''}`);
    }
    console.log(`ledger writer lag ${check.lag === 0 ? `0 after ${f1(lagSeconds)} s` : `still ${check.lag} after ${f1(lagSeconds)} s`}; check: stock ${check.stock}, sold ${check.soldRedis}, left ${check.left}, in the log ${check.soldLog}, told to buyers ${told.reduce((s, x) => s + x.face, 0)}`);
    const busy = machineAfter.busy - machineBefore.busy;
    const wall = (machineAfter.total - machineBefore.total);
    const answered = Object.values(stats).reduce((n, x) => n + x.count, 0);
    console.log(`served: ${stats.buy.count} purchases and ${answered} requests answered in ${f1(servedSeconds)} s from the load's start to its last answer (${f1(stats.buy.count / servedSeconds)} purchases/s)`);
    console.log(`CPU over those ${f1(servedSeconds)} s (the machine: ${f1(busy)} busy of ${f1(wall)} CPU-seconds, others' work included):`);
    const ours = Object.values(cpu).reduce((s, v) => s + v, 0);
    for (const [name, sec] of Object.entries(cpu)) console.log(`  ${name.padEnd(16)} ${f1(sec).padStart(6)} s  ${((sec / servedSeconds) * 100).toFixed(0).padStart(4)}% of a core  ${((sec / Math.max(ours, 1e-9)) * 100).toFixed(0).padStart(3)}% of ours`);

    console.log(`  everything else ${f1(Math.max(0, busy - ours)).padStart(6)} s (the other engineers' work on this machine)`);
    const saleCpu = Object.entries(cpu).filter(([k]) => k.startsWith('sale process')).reduce((n, [, v]) => n + v, 0);
    // Redis functions as Redis counted them (INFO commandstats: FCALL and FCALL_RO calls during the load).
    const fcalls = fcallsNow() - fcallsBefore;
    if (only === 'polls') console.log(`cost of a poll: ${f1((saleCpu / Math.max(stats.status.count, 1)) * 1e6)} µs of sale process, ${f1(((cpu.redis ?? 0) / Math.max(stats.status.count, 1)) * 1e6)} µs of redis-server, ${f1(((cpu.generator ?? 0) / Math.max(stats.status.count, 1)) * 1e6)} µs of generator`);
    if (only === 'purchases') console.log(`cost of a buyer (join, ${f1(stats.status.count / Math.max(stats.buy.count, 1))} polls, purchase): ${f1((saleCpu / Math.max(stats.buy.count, 1)) * 1e6)} µs of sale process, ${f1(((cpu.redis ?? 0) / Math.max(stats.buy.count, 1)) * 1e6)} µs of redis-server, ${f1(((cpu.postgres ?? 0) / Math.max(stats.buy.count, 1)) * 1e6)} µs of PostgreSQL, ${f1(((cpu.generator ?? 0) / Math.max(stats.buy.count, 1)) * 1e6)} µs of generator`);
    // Round-robin: each process answered 1/processes of the requests, so its CPU over that share is its cost per request.
    if (processes > 1) for (const [i, f] of sales.entries()) console.log(`  sale process ${i + 1} (${serverFiles[i] ?? serverFiles[0]}): ${f1(((cpu[`sale process ${i + 1}`] ?? 0) / Math.max(answered / processes, 1)) * 1e6)} µs per request`);
    console.log(`cost: ${f1(answered / Math.max(saleCpu, 1e-9))} requests per CPU-second of sale process, ${f1(fcalls / Math.max(cpu.redis ?? 0, 1e-9))} Redis functions per CPU-second of redis-server (${(fcalls / Math.max(answered, 1)).toFixed(2)} per request), ${f1(answered / Math.max(cpu.generator ?? 0, 1e-9))} requests per CPU-second of generator (${connections} connections per process, pipelining ${pipelining})`);

    const row = (what: string, value: number, goal: number, better: 'more' | 'less') => {
      const met = better === 'more' ? value >= goal : value <= goal;
      console.log(`  ${what.padEnd(22)} ${f1(value).padStart(9)}   goal ${better === 'more' ? '≥' : '<'} ${goal}   ${met ? 'met' : 'MISSED'}`);
      return met;
    };
    console.log('goal (issue 19, 10× the 2022 system):');
    const met = [
      row('purchases/s', measured.purchasesPerSecond, GOAL.purchasesPerSecond, 'more'),
      row('polls/s', measured.pollsPerSecond, GOAL.pollsPerSecond, 'more'),
      row('purchase p99 ms', measured.buyP99Ms, GOAL.buyP99Ms, 'less'),
      row('poll p99 ms', measured.pollP99Ms, GOAL.pollP99Ms, 'less'),
    ].every(Boolean);

    const commit = (() => {
      try {
        return execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
      } catch {
        return null;
      }
    })();
    const current = { what: 'bench:sale', processes, redis: cluster ? `cluster of 3, ${buckets} buckets` : 'one redis-server', durationSeconds: duration, rate, pollRate, ...measured, lagSeconds, loadAverage: load(), commit };
    if (existsSync(BASELINE)) {
      const b = JSON.parse(readFileSync(BASELINE, 'utf8')) as typeof current;
      const ratio = (x: number, y: number) => (y > 0 ? `×${(x / y).toFixed(2)}` : '— (baseline 0)');
      console.log(`against the baseline (${b.commit}, ${b.processes} process(es), load ${b.loadAverage}): purchases/s ${ratio(measured.purchasesPerSecond, b.purchasesPerSecond)}, polls/s ${ratio(measured.pollsPerSecond, b.pollsPerSecond)}, purchase p99 ${ratio(measured.buyP99Ms, b.buyP99Ms)}, poll p99 ${ratio(measured.pollP99Ms, b.pollP99Ms)}`);
    }
    // Only a run with a right result may become the baseline.
    if (process.argv.includes('--write-baseline') && problems.length === 0) writeFileSync(BASELINE, `${JSON.stringify(current, null, 2)}\n`);

    if (problems.length > 0) {
      wrong = true;
      console.log(`WRONG RESULT:\n  ${problems.join('\n  ')}`);
      const info = execSync(`redis-cli -p ${redisPorts[0]} info server`, { encoding: 'utf8' }).match(/uptime_in_seconds:\d+/)?.[0];
      console.log(`redis-server ${info ?? '(no answer)'}; the sale processes said:`);
      for (const [i, p] of sales.entries()) console.log(`--- sale process ${i + 1}\n${p.output()}`);
    } else console.log('checks: no oversell, no limit exceeded, nothing lost or doubled (Redis = PostgreSQL = what buyers were told)');
    if (!met) console.log(process.argv.includes('--enforce-goal') ? 'speed goal missed (--enforce-goal): exit 1' : 'speed goal missed: printed only (this machine is shared; --enforce-goal makes it fail)');
    if (!met && process.argv.includes('--enforce-goal')) wrong = true;
  } finally {
    for (const s of sales) s.child.kill('SIGTERM');
    await Promise.all(sales.map((s) => (s.child.exitCode === null ? new Promise((r) => s.child.once('exit', r)) : null)));
    await server?.close();
    await redis.stop();
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(wrong ? 1 : 0);
}

main().catch((e: unknown) => {
  console.error(`bench:sale: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
