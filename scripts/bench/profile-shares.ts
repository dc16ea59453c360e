/**
 * `npx tsx scripts/bench/profile-shares.ts FILE.cpuprofile [--top N]`: sums a V8 CPU
 * profile (e.g. apply-bench's --profile) by function, self time and with what it
 * calls, as shares of the whole; native calls (SQLite's statements, the hash) show
 * under the name of the native function the JavaScript called.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { table } from './stats.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
const top = Number(values.top ?? 30);
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as { nodes: Node[]; samples: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(work|tmp)\/[^/]+\//, '')}:${n.callFrame.lineNumber + 1}`;
const self = new Map<string, number>();
const total = new Map<string, number>();
for (const id of profile.samples) {
  const n = byId.get(id)!;
  self.set(label(n), (self.get(label(n)) ?? 0) + 1);
  // Each function once per sample, however deep it recurses.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const l = label(byId.get(at)!);
    if (!seen.has(l)) total.set(l, (total.get(l) ?? 0) + 1);
    seen.add(l);
  }
}
const all = profile.samples.length;
const pct = (x: number) => `${((100 * x) / all).toFixed(1)} %`;
const rows = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => [k, pct(v)] as [string, string]);
console.log(`${all} samples\nself time:\n${table(rows(self))}\nwith what it calls:\n${table(rows(total))}`);
