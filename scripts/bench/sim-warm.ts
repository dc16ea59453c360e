/**
 * The same run again and again in one process, as a warm worker thread gets
 * them: CPU of the first run (cold JIT) against the later ones. A run whose
 * code is thrown away between runs (deoptimised) shows later runs no cheaper
 * than the first. `npx tsx scripts/bench/sim-warm.ts [runs] [case]`, where
 * case is `kept` (the study's commonest run: room keeps place, seed 5) or
 * `preset` (the 2022 preset as it is); add node's --trace-deopt to see why.
 */
import { loadavg } from 'node:os';
import { simulate } from '../../shared/simulation/engine.js';
import { preset2022 } from '../../shared/simulation/params.js';
import { keptScenario } from '../../shared/simulation/recommend.js';

const runs = Number(process.argv[2] ?? 10);
const which = process.argv[3] ?? 'kept';
const p = preset2022();
const params = which === 'preset' ? p : { ...keptScenario(p), seed: 5 };

const cpu: number[] = [];
for (let i = 0; i < runs; i++) {
  const c = process.cpuUsage();
  const r = simulate(params);
  const used = process.cpuUsage(c);
  cpu.push((used.user + used.system) / 1e6);
  console.log(`run ${i + 1}: ${cpu[i]!.toFixed(3)} s CPU, ${r.events.toLocaleString('en-US')} events, buyers ${r.buyers}`);
}
const later = cpu.slice(1).sort((a, b) => a - b);
const median = later.length ? later[Math.floor(later.length / 2)]! : NaN;
console.log(`case ${which}: first run ${cpu[0]!.toFixed(3)} s CPU; later runs median ${median.toFixed(3)} s (min ${later[0]?.toFixed(3)}, max ${later.at(-1)?.toFixed(3)}); load ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
