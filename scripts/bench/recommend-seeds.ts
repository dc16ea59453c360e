/**
 * How often the 2022 preset's recommendations hold on seeds other than the one
 * they were searched on (issue 20 item 1): the recommendations for a 30- and a
 * 60-minute target, each re-run on 20 other seeds; the same seeds for every
 * setting (common random numbers). Prints the share of seeds on which each
 * holds and the spread of sell-out and logouts.
 * Run with `nice -n 10 npx tsx scripts/bench/recommend-seeds.ts [seeds]`.
 */
import { loadavg } from 'node:os';
import { simulate, simulateIfSoldOutBy } from '../../shared/simulation/engine.js';
import { preset2022, type SimParams } from '../../shared/simulation/params.js';
import { admissionScenario, recommend, sessionScenario } from '../../shared/simulation/recommend.js';
import type { SimResult } from '../../shared/simulation/result.js';

const seedCount = Number(process.argv[2] ?? 20);
const base = preset2022();
const seeds = Array.from({ length: seedCount }, (_, i) => base.seed + 1 + i);

const run = async (p: SimParams): Promise<SimResult> => simulate(p);
const probe = async (p: SimParams, minutes: number): Promise<SimResult | null> => simulateIfSoldOutBy(p, minutes);

const spread = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const f = (v: number) => (Math.round(v * 10) / 10).toLocaleString('en-US');
  return `min ${f(s[0]!)} · median ${f(s[Math.floor((s.length - 1) / 2)]!)} · max ${f(s.at(-1)!)}`;
};

const started = Date.now();
let sessionChecked = false;
for (const target of [30, 60]) {
  const { recommendations: r } = await recommend(base, run, { targetSellOutMinutes: target, probe });
  console.log(`target ${target} min, searched on seed ${base.seed}: session ${r.session.minutes} min, admission ${r.admission.perMinute}/min (sells out at ${r.admission.sellOutMinute?.toFixed(1)} min on that seed)`);
  if (!sessionChecked) {
    const logouts = seeds.map((seed) => simulate(sessionScenario({ ...base, seed }, r.session.minutes)).logouts);
    const held = logouts.filter((l) => l === 0).length;
    console.log(`  session ${r.session.minutes} min logs nobody out on ${held}/${seeds.length} seeds; logouts ${spread(logouts)}`);
    sessionChecked = true;
  }
  const sellOut = seeds.map((seed) => simulate(admissionScenario({ ...base, seed }, r.admission.perMinute)).soldOutMinute ?? Infinity);
  const held = sellOut.filter((m) => m <= target).length;
  console.log(`  admission ${r.admission.perMinute}/min sells out within ${target} min on ${held}/${seeds.length} seeds; sell-out ${spread(sellOut)} min`);
}
console.log(`${((Date.now() - started) / 1000).toFixed(0)} s; load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
