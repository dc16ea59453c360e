/**
 * Refits preset2022() to the facts the press reported of 2022-07-14 (cited in
 * shared/simulation/press-2022.ts) with the calibration's facts-only
 * objective, and prints the fitted figures to paste into params.ts.
 * `npx tsx scripts/calibration/fit-2022.ts [searchVisitors] [maxEvaluations]`; with `npm run build`
 * done it runs in two worker threads. The last sale is only meaningful at full size (it grows with the
 * number paying), so the default searches at 700,000 visitors: several minutes.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { WorkerSimRunner } from '../../shared/node/simulation/sim-runner.js';
import { simulate } from '../../shared/simulation/engine.js';
import { preset2022 } from '../../shared/simulation/params.js';
import { calibrate, fullLimitShareFor } from '../../shared/simulation/calibrate/calibrate.js';
import { DEFAULT_OPTIONS } from '../../shared/simulation/calibrate/schema.js';
import { PRESS_2022_AVERAGE_PURCHASE, PRESS_2022_FACTS, PRESS_2022_FREE, PRESS_2022_WEIGHTS } from '../../shared/simulation/press-2022.js';

const t0 = Date.now();
const workerFile = resolve('dist', 'node', 'sim-worker.cjs');
const runner = new WorkerSimRunner(workerFile, 2);
const base = preset2022();
const start = { ...base, purchase: { ...base.purchase, fullLimitShare: fullLimitShareFor(base, PRESS_2022_AVERAGE_PURCHASE) } };
const fit = await calibrate(
  start,
  { facePerMinute: [], facts: PRESS_2022_FACTS },
  { ...DEFAULT_OPTIONS, free: PRESS_2022_FREE, weights: PRESS_2022_WEIGHTS, searchVisitors: Number(process.argv[2] ?? 700_000), maxEvaluations: Number(process.argv[3] ?? 300) },
  existsSync(workerFile) ? (batch) => runner.runMany(batch, new AbortController().signal) : async (batch) => batch.map((p) => simulate(p)),
  (f) => process.stderr.write(`\r${Math.round(f * 100)}%`),
);
console.log(`\n${((Date.now() - t0) / 1000).toFixed(1)} s, ${fit.evaluations} evaluations, objective ${fit.startObjective.toFixed(4)} → ${fit.objective.toFixed(4)}`);
console.table(fit.rows);
const p = fit.params;
console.log(JSON.stringify({ visitors: p.visitors, arrival: p.arrival, admissionPerMinute: p.waitingRoom.admissionPerMinute, checkout: p.checkout, patience: p.patience, returns: p.returns, fullLimitShare: p.purchase.fullLimitShare }, null, 1));
process.exit(0);
