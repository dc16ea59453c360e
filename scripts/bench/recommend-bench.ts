/**
 * Recommendations for the 700,000-visitor 2022-07-14 preset, as the console
 * computes them (main run, then the searches over 20 seeds) in worker threads
 * on both cores. Part of `npm run bench:sim`; run alone with
 * `npx tsx scripts/bench/recommend-bench.ts [--enforce-goal]`.
 *
 * States issue 20's goal (< 5 s), the ratio to the stored baseline and where
 * the time goes (runs of each kind, CPU a run). Checks the result: every
 * recommendation must hold on all 20 seeds it was searched on (exit 1 if
 * not); a missed speed goal exits 1 only with --enforce-goal, as bench:sale.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { SimRunner } from '../../shared/node/kernel/sim-runner.js';
import { WorkerSimRunner } from '../../shared/node/simulation/sim-runner.js';
import { runStudy } from '../../shared/node/simulation/study.js';
import { preset2022, type SimParams } from '../../shared/simulation/params.js';
import type { Recommendations } from '../../shared/simulation/recommend.js';
import { RECOMMEND_SEEDS } from '../../shared/simulation/seed-spread.js';

/** Issue 20: a study of the 700,000-visitor sale, recommendations on ≥ 20 seeds included, under this on this machine. */
export const STUDY_GOAL_S = 5;
const CORES = 2;

/** What a study's run is for, read from its settings (recommend.ts's scenarios). */
function kindOf(p: SimParams, base: SimParams, probe: boolean): string {
  if (p.checkout.paymentCapacityTps != null) return 'payment capacity (probes)';
  if (probe) return p.seed === base.seed ? 'admission, base seed search (probes)' : 'admission, other seeds (probes)';
  if (p === base) return 'main run';
  if (p.waitingRoom.stockCutoff !== base.waitingRoom.stockCutoff) return 'cut-off comparison';
  if (p.session.policy === 'room_keeps_place' && p.waitingRoom.maxActiveSessions === base.waitingRoom.maxActiveSessions) return 'kept runs (session timeout; predict the rate)';
  return 'other full runs';
}

/** What is wrong with the recommendations: each must hold on every seed searched. */
function wrong(r: Recommendations): string[] {
  const problems: string[] = [];
  const all = (what: string, c: { seeds: number; held: number } | undefined) => {
    if (!c || c.seeds < RECOMMEND_SEEDS || c.held !== c.seeds) problems.push(`${what} held on ${c ? `${c.held}/${c.seeds}` : 'no'} seeds searched (all of ≥ ${RECOMMEND_SEEDS} required)`);
  };
  all(`session ${r.session.minutes} min`, r.session.check);
  if (!r.admission.feasible) problems.push(`admission not feasible (${r.admission.reason})`);
  all(`admission ${r.admission.perMinute}/min`, r.admission.check);
  if (!r.payment?.feasible) problems.push('no feasible payment capacity');
  all(`payment ${r.payment?.tps} TPS`, r.payment?.check);
  return problems;
}

export async function recommendBench(): Promise<{ rows: [string, string][]; problems: string[]; goalMet: boolean | null }> {
  const workerFile = resolve('dist', 'node', 'sim-worker.cjs');
  if (!existsSync(workerFile)) return { rows: [['recommendations, 700,000 visitors', 'skipped: run `npm run build` first']], problems: [], goalMet: null };
  const base = preset2022();
  let workers = new WorkerSimRunner(workerFile, 2);
  let kinds = new Map<string, number>();
  let stoppedEarly = 0;
  const count = (k: string) => kinds.set(k, (kinds.get(k) ?? 0) + 1);
  const counting: SimRunner = {
    run: (p, onProgress, signal) => (count(kindOf(p, base, false)), workers.run(p, onProgress, signal)),
    probe: async (p, minutes, onProgress, signal) => {
      count(kindOf(p, base, true));
      const r = await workers.probe(p, minutes, onProgress, signal);
      if (r === null) stoppedEarly++;
      return r;
    },
    quick: (p, s) => workers.quick(p, s),
    runMany: (b, s) => workers.runMany(b, s),
  };
  const ctx = { progress: () => {}, signal: new AbortController().signal, id: 'bench' };
  const study = async () => {
    kinds = new Map();
    stoppedEarly = 0;
    const t = performance.now();
    const c = process.cpuUsage();
    const result = await runStudy(counting, base, { recommend: true, targetSellOutMinutes: 60 }, ctx as never);
    // The process's CPU time covers its worker threads: what the study costs whatever the load.
    const used = process.cpuUsage(c);
    const n = [...kinds.values()].reduce((s, v) => s + v, 0);
    return { ms: performance.now() - t, cpuS: (used.user + used.system) / 1e6, n, kinds, stoppedEarly, r: result.recommendations! };
  };
  // Cold: fresh threads, as a runner nobody warmed would give. Then as in the console, which warms
  // its threads at start-up (backend.ts), and once more on the same threads.
  const cold = await study();
  workers = new WorkerSimRunner(workerFile, 2);
  await workers.warmUp();
  const warm = await study();
  const again = await study();
  // The floor: the main run alone, which the console makes anyway; the searches cost what is above it.
  const t2 = performance.now();
  const c2 = process.cpuUsage();
  await runStudy(workers, base, { recommend: false, targetSellOutMinutes: 60 }, ctx as never);
  const mainCpu = process.cpuUsage(c2);
  const mainMs = performance.now() - t2;
  const r = warm.r;
  const before = JSON.parse(readFileSync(resolve('scripts', 'bench', 'baselines', 'study.json'), 'utf8')) as { seconds: number; loadAverage: number; commit: string; runs: number; cpuPerRun?: number };
  const s = warm.ms / 1000;
  const idleS = warm.cpuS / CORES;
  const cpuPerRun = warm.cpuS / warm.n;
  // Any study on ≥ 20 seeds runs at least: the main run, the cut-off comparison, and each of the 20 seeds for the
  // session (kept run), the admission rate and the payment capacity (one verification each, if the first rate fits).
  const fewest = 2 + 3 * RECOMMEND_SEEDS;
  return {
    rows: [
      [
        `study time vs goal (< ${STUDY_GOAL_S} s, 2 cores)`,
        `${idleS < STUDY_GOAL_S ? 'meets' : 'MISSES'} the goal: ${idleS.toFixed(1)} s on 2 idle cores (its CPU time ÷ 2, which holds at any load) = ${(idleS / STUDY_GOAL_S).toFixed(1)}× the goal; ${s.toFixed(2)} s wall at load ${loadavg()[0]!.toFixed(2)}`,
      ],
      // Wall times at different loads do not compare; the run count does, and CPU a run is what each costs.
      [
        `  against baseline ${before.commit} (${before.seconds} s, ${before.runs} runs, load ${before.loadAverage})`,
        `${(before.runs / warm.n).toFixed(1)}× fewer runs (${warm.n}); wall × ${(s / before.seconds).toFixed(2)} at load ${loadavg()[0]!.toFixed(2)}`,
      ],
      // CPU a run judges the engine: it moves far less with the load than wall time does.
      ...(before.cpuPerRun
        ? [[`  CPU a run against the baseline's ${before.cpuPerRun.toFixed(2)} s`, `× ${(cpuPerRun / before.cpuPerRun).toFixed(2)} (${cpuPerRun.toFixed(2)} s)`] as [string, string]]
        : []),
      ['recommendations, 700,000 visitors (main run + searches, 2 workers warmed at start-up, as in the console)', `${s.toFixed(2)} s, ${warm.n} runs, ${warm.stoppedEarly} probe(s) stopped at the target minute`],
      ...[...warm.kinds].sort((a, b) => b[1] - a[1]).map(([k, v]): [string, string] => [`  ${k}`, `${v} runs`]),
      ['  CPU time of that study (all threads)', `${warm.cpuS.toFixed(1)} s, ${cpuPerRun.toFixed(2)} s a run; the goal allows ${CORES * STUDY_GOAL_S} s`],
      [
        `  the fewest runs any ${RECOMMEND_SEEDS}-seed study takes (main, cut-off, ${RECOMMEND_SEEDS} × kept, admission, payment)`,
        `${fewest} runs × ${cpuPerRun.toFixed(2)} s ÷ ${CORES} cores = ${((fewest * cpuPerRun) / CORES).toFixed(1)} s: the goal needs a run ≤ ${((CORES * STUDY_GOAL_S) / fewest).toFixed(2)} s CPU`,
      ],
      ['  the main run alone (wall, CPU)', `${(mainMs / 1000).toFixed(2)} s, ${((mainCpu.user + mainCpu.system) / 1e6).toFixed(2)} s CPU`],
      ['  the next study on the same threads', `${(again.ms / 1000).toFixed(2)} s (${again.cpuS.toFixed(1)} s CPU)`],
      ['  the first study on fresh threads nobody warmed', `${(cold.ms / 1000).toFixed(2)} s (${cold.cpuS.toFixed(1)} s CPU)`],
      ['  load average (1, 5, 15 min) at the end', loadavg().map((l) => l.toFixed(2)).join(', ')],
      [
        '  recommended',
        `session ${r.session.minutes} min (${r.session.check?.held}/${r.session.check?.seeds} seeds) · admission ${r.admission.perMinute}/min (${r.admission.check?.held}/${r.admission.check?.seeds}) · payment ${r.payment?.tps} TPS (${r.payment?.check.held}/${r.payment?.check.seeds}) · cut-off saves ${Math.round(r.cutoff.savedHours).toLocaleString('en-US')} person-hours`,
      ],
    ],
    problems: [...wrong(warm.r), ...wrong(again.r), ...wrong(cold.r)].filter((x, i, a) => a.indexOf(x) === i),
    goalMet: idleS < STUDY_GOAL_S,
  };
}

/** Exit 1 on a wrong result, and on a missed goal with --enforce-goal. */
export function judgeRecommendBench(out: { problems: string[]; goalMet: boolean | null }): void {
  for (const p of out.problems) console.error(`wrong result: ${p}`);
  if (out.problems.length > 0) process.exitCode = 1;
  if (out.goalMet === false && process.argv.includes('--enforce-goal')) {
    console.error(`the study takes more than ${STUDY_GOAL_S} s on 2 idle cores`);
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  void recommendBench().then((out) => {
    out.rows.forEach(([k, v]) => console.log(`${k}: ${v}`));
    judgeRecommendBench(out);
  });
}
