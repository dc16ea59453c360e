import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulationCancelled } from '../../simulation/engine.js';
import type { SimParams } from '../../simulation/params.js';
import { recommend } from '../../simulation/recommend.js';
import { simulate } from '../../simulation/engine.js';
import { smallCrowdedSale } from '../../../tests/support/sim-fixtures.js';
import { WorkerSimRunner } from './sim-runner.js';
import { runStudy } from './study.js';

let dir: string;
let workerFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ic-study-'));
  workerFile = join(dir, 'sim-worker.cjs');
  await build({ entryPoints: ['shared/node/simulation/sim-worker.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: workerFile, logLevel: 'silent' });
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenario: SimParams = smallCrowdedSale();

describe('a study with recommendations on worker threads', () => {
  it('recommends what the engine in process does, with progress that only goes forward to the end; a cancel stops it and the runner still works', async () => {
    const runner = new WorkerSimRunner(workerFile, 2);
    const progress: number[] = [];
    const ctx = { signal: new AbortController().signal, progress: (f: number) => progress.push(f) };
    // Three seeds: the worker threads and the engine in process must agree on the multi-seed searches too.
    const study = await runStudy(runner, scenario, { recommend: true, targetSellOutMinutes: 60, seeds: 3 }, ctx);
    const inProcess = await recommend(scenario, async (p) => simulate(p), { targetSellOutMinutes: 60, seeds: 3 });
    expect(study.recommendations).toEqual(inProcess.recommendations);
    expect(progress.every((f, i) => i === 0 || f >= progress[i - 1]! - 1e-9)).toBe(true);
    expect(progress.at(-1)).toBeGreaterThan(0.95);

    const controller = new AbortController();
    const big = { ...scenario, visitors: 5_000_000 };
    const started = Date.now();
    const cancelled = runStudy(runner, big, { recommend: true, targetSellOutMinutes: 60 }, { signal: controller.signal, progress: () => {} });
    setTimeout(() => controller.abort(), 300);
    await expect(cancelled).rejects.toBeInstanceOf(SimulationCancelled);
    expect(Date.now() - started).toBeLessThan(3_000);
    const again = await runStudy(runner, scenario, { recommend: false, targetSellOutMinutes: 60 }, { signal: new AbortController().signal, progress: () => {} });
    expect(again.main.buyers).toBe(study.main.buyers);
  }, 180_000);
});
