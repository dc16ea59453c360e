/**
 * The closing lines of a bench that had figures but no goal check or baseline: each figure beside its goal
 * (lower is better) and beside the stored baseline's value of the same figure, so a regression shows as a
 * ratio above 1. `--write-baseline` stores this run's figures as the new baseline (with the commit and load).
 * Result checks (a wrong answer) are the bench's own and always fail it; a missed goal fails it too, as
 * bench:counter's does, unless `--no-enforce` is given (a shared, loaded machine).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { table } from './stats.js';

export interface Figure {
  /** Stable name in the baseline file. */
  key: string;
  label: string;
  value: number;
  unit: 'ms' | 's' | 'MiB' | 'MB' | 'B';
  /** The issue's goal for it (value must stay below), or none for a figure kept only against the baseline. */
  goal?: number;
}

interface Baseline {
  what: string;
  commit: string;
  recordedAt: string;
  loadAverage: number | null;
  /** Where the figures come from when they were not written by --write-baseline (an earlier note's measured run). */
  source?: string;
  figures: Record<string, number>;
}

const show = (v: number, unit: Figure['unit']) => `${v.toLocaleString('en-US', { maximumFractionDigits: v < 10 ? 2 : 1 })} ${unit}`;

/** Prints the goals and the baseline ratios; returns false when a goal was missed (and sets the exit code unless --no-enforce). */
export function judgeFigures(what: string, baselineFile: URL, figures: Figure[], argv = process.argv): boolean {
  const stored = existsSync(baselineFile) ? (JSON.parse(readFileSync(baselineFile, 'utf8')) as Baseline) : null;
  const rows: [string, string][] = [];
  let met = true;
  for (const f of figures) {
    const parts: string[] = [show(f.value, f.unit)];
    if (f.goal !== undefined) {
      const ok = f.value < f.goal;
      met &&= ok;
      parts.push(`goal < ${show(f.goal, f.unit)}: ${(f.value / f.goal).toFixed(2)}× the goal, ${ok ? 'met' : 'NOT met'}`);
    }
    const base = stored?.figures[f.key];
    parts.push(base === undefined ? 'no baseline yet' : `× ${(f.value / base).toFixed(2)} of baseline ${show(base, f.unit)}`);
    rows.push([f.label, parts.join('; ')]);
  }
  console.log(`\nGoals and baseline${stored ? ` (${stored.commit}, ${stored.recordedAt.slice(0, 10)}, load ${stored.loadAverage ?? 'not recorded'}${stored.source ? `: ${stored.source}` : ''})` : ''}; load now ${loadavg()[0]!.toFixed(1)}`);
  console.log(table(rows));
  if (argv.includes('--write-baseline')) {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const next: Baseline = { what, commit, recordedAt: new Date().toISOString(), loadAverage: Number(loadavg()[0]!.toFixed(1)), figures: Object.fromEntries(figures.map((f) => [f.key, Number(f.value.toFixed(3))])) };
    writeFileSync(baselineFile, `${JSON.stringify(next, null, 2)}\n`);
    console.log(`baseline written: ${baselineFile.pathname}`);
  }
  if (!met) {
    console.error('a goal was missed (see above)');
    if (!argv.includes('--no-enforce')) process.exitCode = 1;
  }
  return met;
}
