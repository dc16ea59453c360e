/**
 * The runs one recommendation study of the 2022 preset makes, replayed one after another in this process
 * (a warm thread's view): CPU a run by kind, and one digest over every result, so a cheaper engine can be
 * shown to give the study's own runs unchanged, not only sim-digest's cases. The runs are found by running
 * the study with an in-process runner that records them. `npx tsx scripts/bench/study-replay.ts [rounds] [cache.json] [stride]`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { runStudy } from '../../shared/node/simulation/study.js';
import { simulate, simulateIfSoldOutBy } from '../../shared/simulation/engine.js';
import { preset2022, type SimParams } from '../../shared/simulation/params.js';
import type { SimResult } from '../../shared/simulation/result.js';

const rounds = Number(process.argv[2] ?? 2);
const base = preset2022();
const calls: [SimParams, number | undefined][] = [];
const record = {
  run: async (p: SimParams) => (calls.push([p, undefined]), simulate(p)),
  probe: async (p: SimParams, minutes: number) => (calls.push([p, minutes]), simulateIfSoldOutBy(p, minutes)),
  quick: async (p: SimParams) => simulate(p),
  runMany: async (b: SimParams[]) => b.map((p) => simulate(p)),
};
const ctx = { progress: () => {}, signal: new AbortController().signal, id: 'replay' };
// The study's runs are kept in a file (the first argument after rounds) so a replay need not search again.
const cache = process.argv[3];
if (cache && existsSync(cache)) calls.push(...(JSON.parse(readFileSync(cache, 'utf8')) as typeof calls).map(([p, by]): [SimParams, number | undefined] => [p, by ?? undefined]));
else {
  await runStudy(record as never, base, { recommend: true, targetSellOutMinutes: 60 }, ctx as never);
  if (cache) writeFileSync(cache, JSON.stringify(calls));
}

const kind = (p: SimParams, by: number | undefined) =>
  p === calls[0]![0] ? 'main' : p.checkout.paymentCapacityTps != null ? 'payment probe' : by !== undefined ? 'admission probe' : p.session.policy === 'room_keeps_place' ? 'kept' : 'other';
const strip = (r: SimResult | null) => {
  if (r === null) return null;
  const { elapsedMs: _, ...rest } = r;
  return rest;
};
// Every stride-th run only (a quicker A/B of two engines; its digest is then of those runs).
const stride = Number(process.argv[4] ?? 1);
const replayed = calls.filter((_, i) => i % stride === 0);
for (let round = 0; round < rounds; round++) {
  const hash = createHash('sha256');
  const cpu = new Map<string, number[]>();
  let all = 0;
  for (const [p, by] of replayed) {
    const c = process.cpuUsage();
    const r = by === undefined ? simulate(p) : simulateIfSoldOutBy(p, by);
    const u = process.cpuUsage(c);
    const s = (u.user + u.system) / 1e6;
    all += s;
    const k = kind(p, by);
    cpu.set(k, [...(cpu.get(k) ?? []), s]);
    hash.update(JSON.stringify(strip(r)));
  }
  const parts = [...cpu].map(([k, v]) => `${k} ${v.length}× ${(v.reduce((a, b) => a + b, 0) / v.length).toFixed(3)}`);
  console.log(`round ${round + 1}: ${replayed.length} runs, ${all.toFixed(2)} s CPU, ${(all / replayed.length).toFixed(3)} s a run (${parts.join(', ')}); digest ${hash.digest('hex').slice(0, 16)}; load ${loadavg()[0]!.toFixed(2)}`);
}
