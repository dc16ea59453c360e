/**
 * `npm run bench:sim`: the simulator on the 2022-07-14 preset at 1M and 10M
 * visitors (each in a fresh process: time and peak memory are its own), then
 * replications in parallel worker threads as the console runs them, then a
 * recommendation study against issue 20's goal (recommend-bench.ts): exit 1
 * when a recommendation does not hold on its seeds, and on a missed goal
 * only with `--enforce-goal`. First it checks that the engine's outputs are
 * those stored (sim-digest.ts --check, in a fresh process): a cheaper engine
 * must give the same results, and exit 1 if it does not.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { preset2022 } from '../../shared/simulation/params.js';
import { WorkerSimRunner } from '../../shared/node/simulation/sim-runner.js';
import { judgeRecommendBench, recommendBench } from './recommend-bench.js';
import { table } from './stats.js';

const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;

async function main(): Promise<void> {
  console.log(`Simulator benchmark, 2022-07-14 preset (${new Date().toISOString()}, ${cpus().length} cores, Node ${process.version})`);
  const rows: [string, string][] = [];
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join('scripts', 'bench', 'sim-digest.ts'), '--check'], { encoding: 'utf8' });
    rows.push(['result check (sim-digest.ts --check)', out.trim()]);
  } catch (e) {
    rows.push(['result check (sim-digest.ts --check)', `FAILED: ${(e as { stderr?: string }).stderr?.trim() ?? String(e)}`]);
    process.exitCode = 1;
  }
  for (const visitors of [1_000_000, 10_000_000]) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join('scripts', 'bench', 'sim-one.ts'), String(visitors)], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as { ms: number; events: number; buyers: number; soldOutMinute: number | null; logouts: number; maxRssMiB: number };
    const n = visitors.toLocaleString('en-US');
    rows.push([`N = ${n}: wall time`, `${(r.ms / 1000).toFixed(2)} s`]);
    rows.push([`N = ${n}: simulated people (visitors)`, rate(visitors, r.ms)]);
    rows.push([`N = ${n}: events`, `${r.events.toLocaleString('en-US')} (${rate(r.events, r.ms)})`]);
    rows.push([`N = ${n}: buyers (sold out at ${r.soldOutMinute?.toFixed(1)} min)`, `${r.buyers.toLocaleString('en-US')}, logouts ${r.logouts.toLocaleString('en-US')}`]);
    rows.push([`N = ${n}: peak memory (process max RSS)`, `${Math.round(r.maxRssMiB)} MiB`]);
  }

  const workerFile = resolve('dist', 'node', 'sim-worker.cjs');
  if (existsSync(workerFile)) {
    const runner = new WorkerSimRunner(workerFile, 2);
    const seeds = [1, 2, 3, 4];
    const t = performance.now();
    await Promise.all(seeds.map((seed) => runner.run({ ...preset2022(), visitors: 1_000_000, seed }, () => {}, new AbortController().signal)));
    const ms = performance.now() - t;
    rows.push([`4 replications of N = 1,000,000, 2 worker threads`, `${(ms / 1000).toFixed(2)} s (${rate(4_000_000, ms)} people)`]);
  } else {
    rows.push(['replications in worker threads', 'skipped: run `npm run build` first']);
  }
  const study = await recommendBench();
  rows.push(...study.rows);
  console.log(table(rows));
  judgeRecommendBench(study);
}

void main();
