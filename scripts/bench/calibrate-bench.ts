/**
 * `npm run bench:calibrate`: a calibration of a 700,000-visitor sale as the
 * console runs it (warm worker threads, two at a time), fitting every
 * behavioural parameter to a ledger curve the simulator made with the 2022
 * preset on another seed, starting from the preset's former, uncalibrated
 * figures. Prints time, evaluations, fit; asserts nothing.
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WorkerSimRunner } from '../../shared/node/simulation/sim-runner.js';
import { calibrate } from '../../shared/simulation/calibrate/calibrate.js';
import { simulatedFacePerMinute } from '../../shared/simulation/calibrate/objective.js';
import { DEFAULT_OPTIONS, NO_FACTS } from '../../shared/simulation/calibrate/schema.js';
import { simulate } from '../../shared/simulation/engine.js';
import { preset2022, type SimParams } from '../../shared/simulation/params.js';
import { table } from './stats.js';

async function main(): Promise<void> {
  const workerFile = resolve('dist', 'node', 'sim-worker.cjs');
  if (!existsSync(workerFile)) throw new Error('run `npm run build` first (the worker bundle is dist/node/sim-worker.cjs)');
  const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
  console.log(`Calibration benchmark, 700,000 visitors (${new Date().toISOString()}, ${cpus().length} cores, Node ${process.version}, load ${load()})`);

  // The "real" sale: the calibrated 2022 preset on another seed, as a ledger would show it.
  const truth: SimParams = { ...preset2022(), seed: 99 };
  const day = simulate(truth);
  const face = simulatedFacePerMinute(day, 1, 24 * 60);
  let end = face.length;
  while (end > 0 && face[end - 1] === 0) end--;
  const observed = { facePerMinute: face.slice(0, end), facts: { ...NO_FACTS, buyers: day.buyers } };
  // Start where the preset stood before calibration.
  const p = preset2022();
  const start: SimParams = {
    ...p,
    arrival: { ...p.arrival, preOpenShare: 0.3 },
    waitingRoom: { ...p.waitingRoom, admissionPerMinute: 1_600 },
    patience: { kind: 'exponential', meanMinutes: 120 },
    checkout: { ...p.checkout, meanSeconds: 120, failureRate: 0.15 },
  };

  const runner = new WorkerSimRunner(workerFile, 2);
  const signal = new AbortController().signal;
  const t = performance.now();
  const fit = await calibrate(start, observed, DEFAULT_OPTIONS, (batch) => runner.runMany(batch, signal));
  const ms = performance.now() - t;
  const f = fit.params;
  const rel = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)}%`;
  console.log(table([
    ['wall time (search + full-scale confirmation)', `${(ms / 1000).toFixed(1)} s`],
    ['evaluations', `${fit.evaluations} at ${Math.round(start.visitors * fit.searchScale).toLocaleString('en-US')} visitors, then 2 at 700,000`],
    ['objective, start → fit (full scale)', `${fit.startObjective.toFixed(4)} → ${fit.objective.toFixed(4)}`],
    ...fit.rows.filter((r) => r.error !== null).map((r): [string, string] => [`error: ${r.measure}`, `${(r.error! * 100).toFixed(1)}%`]),
    ['admission / truth', `${Math.round(f.waitingRoom.admissionPerMinute ?? 0)} / ${truth.waitingRoom.admissionPerMinute} (${rel(f.waitingRoom.admissionPerMinute ?? 0, truth.waitingRoom.admissionPerMinute!)})`],
    ['visitors / truth', `${f.visitors.toLocaleString('en-US')} / ${truth.visitors.toLocaleString('en-US')}`],
    ['checkout s / truth', `${Math.round(f.checkout.meanSeconds)} / ${truth.checkout.meanSeconds}`],
    ['failure rate / truth', `${f.checkout.failureRate.toFixed(3)} / ${truth.checkout.failureRate}`],
    ['load average after', load()],
  ]));
  process.exit(0);
}

void main();
