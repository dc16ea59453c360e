/**
 * Recommendations for the 700,000-visitor 2022-07-14 preset, as the console
 * computes them (main run, then the searches) in worker threads on both cores.
 * Part of `npm run bench:sim`; run alone with `npx tsx scripts/bench/recommend-bench.ts`.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { WorkerSimRunner, type SimRunner } from '../../shared/node/simulation/sim-runner.js';
import { runStudy } from '../../shared/node/simulation/study.js';
import { preset2022 } from '../../shared/simulation/params.js';

export async function recommendBench(): Promise<[string, string][]> {
  const workerFile = resolve('dist', 'node', 'sim-worker.cjs');
  if (!existsSync(workerFile)) return [['recommendations, 700,000 visitors', 'skipped: run `npm run build` first']];
  const workers = new WorkerSimRunner(workerFile, 2);
  let runs = 0;
  let probes = 0;
  let stoppedEarly = 0;
  const counting: SimRunner = {
    run: (p, onProgress, signal) => (runs++, workers.run(p, onProgress, signal)),
    probe: async (p, minutes, onProgress, signal) => {
      probes++;
      const r = await workers.probe(p, minutes, onProgress, signal);
      if (r === null) stoppedEarly++;
      return r;
    },
    quick: (p, s) => workers.quick(p, s),
    runMany: (b, s) => workers.runMany(b, s),
  };
  const ctx = { progress: () => {}, signal: new AbortController().signal, id: 'bench' };
  const t = performance.now();
  const study = await runStudy(counting, preset2022(), { recommend: true, targetSellOutMinutes: 60 }, ctx as never);
  const ms = performance.now() - t;
  const r = study.recommendations!;
  return [
    ['recommendations, 700,000 visitors (main run + searches, 2 workers)', `${(ms / 1000).toFixed(2)} s, ${runs + probes} runs (${runs} full, ${probes} admission probes of which ${stoppedEarly} stopped at the target minute)`],
    ['  load average (1, 5, 15 min) at the end', loadavg().map((l) => l.toFixed(2)).join(', ')],
    ['  recommended', `session ${r.session.minutes} min · admission ${r.admission.perMinute}/min · cut-off saves ${Math.round(r.cutoff.savedHours).toLocaleString('en-US')} person-hours`],
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  void recommendBench().then((rows) => rows.forEach(([k, v]) => console.log(`${k}: ${v}`)));
}
