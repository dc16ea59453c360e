/**
 * One recommendation study of the 700,000-visitor 2022-07-14 preset as the
 * console runs it (main run + searches, 2 warmed worker threads), timed, with
 * the runs it took. Prints one JSON line. Run after `npm run build`:
 * `nice -n 10 npx tsx scripts/bench/study-2022.ts`.
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WorkerSimRunner } from '../../shared/node/simulation/sim-runner.js';
import { runStudy } from '../../shared/node/simulation/study.js';
import { preset2022 } from '../../shared/simulation/params.js';

async function main(): Promise<void> {
  const workers = new WorkerSimRunner(resolve('dist', 'node', 'sim-worker.cjs'), 2);
  await workers.warmUp();
  let runs = 0;
  let probes = 0;
  const counting = {
    run: (...a: Parameters<typeof workers.run>) => (runs++, workers.run(...a)),
    probe: (...a: Parameters<typeof workers.probe>) => (probes++, workers.probe(...a)),
    quick: (...a: Parameters<typeof workers.quick>) => workers.quick(...a),
    runMany: (...a: Parameters<typeof workers.runMany>) => workers.runMany(...a),
  };
  const ctx = { progress: () => {}, signal: new AbortController().signal, id: 'bench' };
  const t = performance.now();
  const s = await runStudy(counting as never, preset2022(), { recommend: true, targetSellOutMinutes: 60 }, ctx as never);
  const ms = performance.now() - t;
  const r = s.recommendations!;
  console.log(
    JSON.stringify({
      seconds: Math.round(ms / 100) / 10,
      runs,
      probes,
      session: r.session.minutes,
      admission: r.admission.perMinute,
      admissionHeld: `${r.admission.check?.held}/${r.admission.check?.seeds}`,
      paymentTps: r.payment?.tps ?? null,
      paymentHeld: r.payment ? `${r.payment.check.held}/${r.payment.check.seeds}` : null,
      load: loadavg().map((l) => Math.round(l * 100) / 100),
    }),
  );
  process.exit(0);
}

void main();
