import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate, SimulationCancelled } from '../../simulation/engine.js';
import { preset2022 } from '../../simulation/params.js';
import { WorkerSimRunner } from './sim-runner.js';

let dir: string;
let workerFile: string;

beforeAll(async () => {
  // The worker as the app ships it: bundled to one CommonJS file.
  dir = mkdtempSync(join(tmpdir(), 'ic-simworker-'));
  workerFile = join(dir, 'sim-worker.cjs');
  await build({ entryPoints: ['shared/node/simulation/sim-worker.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: workerFile, logLevel: 'silent' });
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('worker simulation runner', () => {
  it('runs in a worker thread with progress, giving the same result as in process', async () => {
    const params = { ...preset2022(), visitors: 200_000 };
    const progress: number[] = [];
    const fromWorker = await new WorkerSimRunner(workerFile).run(params, (f) => progress.push(f), new AbortController().signal);
    const inProcess = simulate(params);
    expect({ ...fromWorker, elapsedMs: 0 }).toEqual({ ...inProcess, elapsedMs: 0 });
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toBe(1);
  });

  it('stops a long run at once when cancelled', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const run = new WorkerSimRunner(workerFile).run({ ...preset2022(), visitors: 20_000_000 }, () => {}, controller.signal);
    setTimeout(() => controller.abort(), 200);
    await expect(run).rejects.toBeInstanceOf(SimulationCancelled);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('runs two replications at once and queues the third', async () => {
    const runner = new WorkerSimRunner(workerFile, 2);
    const seeds = [1, 2, 3];
    const results = await Promise.all(seeds.map((seed) => runner.run({ ...preset2022(), visitors: 50_000, seed }, () => {}, new AbortController().signal)));
    expect(new Set(results.map((r) => r.waitBuyers.meanMinutes)).size).toBe(3);
  });

  it('answers quick checks on one warm thread, in order, with the same results as in process', async () => {
    const runner = new WorkerSimRunner(workerFile);
    const params = [1, 2].map((seed) => ({ ...preset2022(), visitors: 20_000, seed }));
    const results = await Promise.all(params.map((p) => runner.quick(p, new AbortController().signal)));
    results.forEach((r, i) => expect({ ...r, elapsedMs: 0 }).toEqual({ ...simulate(params[i]!), elapsedMs: 0 }));
    // A cancelled check stops the warm thread; the next check starts another.
    const controller = new AbortController();
    const long = runner.quick({ ...preset2022(), visitors: 20_000_000 }, controller.signal);
    setTimeout(() => controller.abort(), 100);
    await expect(long).rejects.toBeInstanceOf(SimulationCancelled);
    const again = await runner.quick(params[0]!, new AbortController().signal);
    expect(again.buyers).toBe(results[0]!.buyers);
  });
});

describe('worker simulation runner, batches', () => {
  it('runs a batch over warm threads with the same results, in order, as in process; a cancelled batch stops and the next one still runs', async () => {
    const runner = new WorkerSimRunner(workerFile, 2);
    const params = [1, 2, 3, 4, 5].map((seed) => ({ ...preset2022(), visitors: 10_000 + seed * 1_000, seed }));
    const results = await runner.runMany(params, new AbortController().signal);
    results.forEach((r, i) => expect({ ...r, elapsedMs: 0 }).toEqual({ ...simulate(params[i]!), elapsedMs: 0 }));
    const controller = new AbortController();
    const long = runner.runMany([{ ...preset2022(), visitors: 20_000_000 }, { ...preset2022(), visitors: 20_000_000 }], controller.signal);
    setTimeout(() => controller.abort(), 150);
    await expect(long).rejects.toBeInstanceOf(SimulationCancelled);
    const again = await runner.runMany(params.slice(0, 1), new AbortController().signal);
    expect(again[0]!.buyers).toBe(results[0]!.buyers);
  });
});

describe('worker simulation runner, probes and warm threads', () => {
  it('probes on warm threads (null when the sale misses the minute, else the full run), reuses threads, and a cancelled probe does not break the next run', async () => {
    const runner = new WorkerSimRunner(workerFile, 2);
    // Warmed at start-up: both threads started and ready before the first run asks.
    expect(runner.readyThreads).toBe(0);
    await runner.warmUp();
    expect(runner.readyThreads).toBe(2);
    // Enough visitors that the fitted 2022 crowd (37-minute patience) still sells the stock out.
    const params = { ...preset2022(), visitors: 200_000 };
    const full = simulate(params);
    expect(full.soldOutMinute).not.toBeNull();
    expect(await runner.probe(params, full.soldOutMinute! - 1, () => {}, new AbortController().signal)).toBeNull();
    const met = await runner.probe(params, full.soldOutMinute!, () => {}, new AbortController().signal);
    expect({ ...met!, elapsedMs: 0 }).toEqual({ ...full, elapsedMs: 0 });
    // A full run on the same warm threads, with progress.
    const progress: number[] = [];
    const again = await runner.run(params, (f) => progress.push(f), new AbortController().signal);
    expect(again.buyers).toBe(full.buyers);
    expect(progress.at(-1)).toBe(1);
    const controller = new AbortController();
    const long = runner.probe({ ...preset2022(), visitors: 20_000_000 }, 10_000, () => {}, controller.signal);
    setTimeout(() => controller.abort(), 150);
    await expect(long).rejects.toBeInstanceOf(SimulationCancelled);
    const after = await Promise.all([1, 2, 3].map(() => runner.run(params, () => {}, new AbortController().signal)));
    expect(after.map((r) => r.buyers)).toEqual([full.buyers, full.buyers, full.buyers]);
    // The cancelled thread was replaced, not leaked: still two, both reused.
    expect(runner.readyThreads).toBe(2);
  }, 60_000);
});
