/**
 * Digests of every output of simulate() (and of a probe) for a fixed set of
 * (preset, seed) pairs: a change meant to make the engine cheaper must leave
 * every line identical. Not a test: run before and after a change and diff,
 * `npx tsx scripts/bench/sim-digest.ts > /tmp/before.txt`. Prints, per case,
 * a SHA-256 of the whole result (elapsedMs left out: it is a time, not an
 * output) and a few headline figures to read a difference by.
 */
import { createHash } from 'node:crypto';
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

for (const [name, params, by] of cases) {
  const t = performance.now();
  const r = by === undefined ? simulate(params) : simulateIfSoldOutBy(params, by);
  const ms = performance.now() - t;
  const head = r ? `buyers ${r.buyers}, sold out ${r.soldOutMinute?.toFixed(3)}, logouts ${r.logouts}, events ${r.events}` : 'stopped (not sold out by the target)';
  console.log(`${digest(r)}  ${name}: ${head}  [${Math.round(ms)} ms]`);
}
