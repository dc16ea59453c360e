/**
 * Digests of every output of simulate() (and of a probe) for a fixed set of
 * (preset, seed) pairs: a change meant to make the engine cheaper must leave
 * every line identical. Not a test: run before and after a change and diff,
 * `npx tsx scripts/bench/sim-digest.ts > /tmp/before.txt`. Prints, per case,
 * a SHA-256 of the whole result (elapsedMs left out: it is a time, not an
 * output) and a few headline figures to read a difference by. `--check`
 * compares with the digests stored in baselines/sim-digest.txt, recorded from
 * the engine before the cheaper run (exit 1 on any difference); `npm run
 * bench:sim` runs that check first.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { simulate, simulateIfSoldOutBy } from '../../shared/simulation/engine.js';
import { preset2022, sale2022Uncalibrated, type SimParams } from '../../shared/simulation/params.js';
import { admissionScenario, keptScenario, paymentScenario, sessionScenario } from '../../shared/simulation/recommend.js';
import type { SimResult } from '../../shared/simulation/result.js';

const p = preset2022();
const cases: [string, SimParams, number?][] = [
  ['preset 2022, its seed', p],
  ['preset 2022, seed 2', { ...p, seed: 2 }],
  ['uncalibrated 2022 sale', sale2022Uncalibrated()],
  ['preset kept (room keeps place), seed 5', { ...keptScenario(p), seed: 5 }],
  ['preset cut-off on', { ...p, waitingRoom: { ...p.waitingRoom, stockCutoff: true } }],
  ['payment capacity 1,250/min at 25 TPS, seed 3', { ...paymentScenario(p, 1_250, 25), seed: 3 }],
  ['session 79 min, seed 2', { ...sessionScenario(p, 79), seed: 2 }],
  ['probe 1,250/min by 60 min, seed 4', { ...admissionScenario(p, 1_250), seed: 4 }, 60],
  ['probe 1,150/min by 60 min, seed 7', { ...admissionScenario(p, 1_150), seed: 7 }, 60],
  [
    'birth-year slots, shuffle-free, fixed patience, exponential checkout, 200k',
    {
      ...p,
      visitors: 200_000,
      seed: 11,
      waitingRoom: { ...p.waitingRoom, order: 'birth_year', slots: [{ share: 0.5, startMinute: 0 }, { share: 0.5, startMinute: 30 }] },
      patience: { kind: 'fixed', meanMinutes: 40 },
      checkout: { ...p.checkout, distribution: 'exponential', failureRate: 0.1 },
    },
  ],
  ['shuffle before opening, 200k', { ...p, visitors: 200_000, seed: 12, waitingRoom: { ...p.waitingRoom, order: 'shuffle_preopen' } }],
];

const digest = (r: SimResult | null): string => {
  if (r === null) return 'null';
  const { elapsedMs: _, ...rest } = r;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
};

/** The stored digests: what the engine gave before a change meant to make it cheaper, one `hash  case` a line. */
export const DIGEST_FILE = resolve('scripts', 'bench', 'baselines', 'sim-digest.txt');

/** Every case's `hash  name`, with its headline figures and time for a reader when `verbose`. */
export function digestLines(verbose = false): string[] {
  return cases.map(([name, params, by]) => {
    const t = performance.now();
    const r = by === undefined ? simulate(params) : simulateIfSoldOutBy(params, by);
    const ms = performance.now() - t;
    const head = r ? `buyers ${r.buyers}, sold out ${r.soldOutMinute?.toFixed(3)}, logouts ${r.logouts}, events ${r.events}` : 'stopped (not sold out by the target)';
    return verbose ? `${digest(r)}  ${name}: ${head}  [${Math.round(ms)} ms]` : `${digest(r)}  ${name}`;
  });
}

/** The cases whose digest differs from the stored one (empty: every output is as it was). */
export function digestChanges(): string[] {
  const stored = readFileSync(DIGEST_FILE, 'utf8').trim().split('\n');
  const now = digestLines();
  return now.filter((line, i) => line !== stored[i]).concat(stored.length !== now.length ? [`${stored.length} cases stored, ${now.length} run`] : []);
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  if (process.argv.includes('--check')) {
    const changed = digestChanges();
    for (const c of changed) console.error(`differs from ${DIGEST_FILE}: ${c}`);
    console.log(changed.length === 0 ? `every output identical to the stored digests (${cases.length} cases)` : `${changed.length} case(s) differ`);
    if (changed.length > 0) process.exitCode = 1;
  } else for (const line of digestLines(true)) console.log(line);
}
