import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks a second of /proc/PID/stat's times (USER_HZ; 100 on Linux everywhere it runs). */
const TICKS = 100;

interface Proc {
  pid: number;
  ppid: number;
  /** utime + stime of the process and all its threads, in ticks. */
  ticks: number;
  cmdline: string;
}

/** Every process's parent, CPU ticks and command line, from /proc (proc(5): fields 4, 14 and 15 of stat). */
export function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: the fields after it start past the last ')'.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.push({ pid: Number(name), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), cmdline });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return out;
}

/** The pids of `roots` and all their descendants. */
export function treeOf(all: Proc[], roots: number[]): Set<number> {
  const set = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) if (!set.has(p.pid) && set.has(p.ppid)) (set.add(p.pid), (grew = true));
  }
  return set;
}

/**
 * CPU seconds each named group of processes used between `start()` and
 * `stop()`. A group is found again at each reading (PostgreSQL starts a
 * backend per connection), by a test on the process list.
 */
export class CpuMeter {
  private before = new Map<string, Map<number, number>>();

  constructor(private readonly groups: Record<string, (all: Proc[]) => Set<number>>) {}

  private read(): Map<string, Map<number, number>> {
    const all = processes();
    const byPid = new Map(all.map((p) => [p.pid, p.ticks]));
    return new Map(Object.entries(this.groups).map(([name, find]) => [name, new Map([...find(all)].map((pid) => [pid, byPid.get(pid) ?? 0]))]));
  }

  start(): void {
    this.before = this.read();
  }

  /** Seconds of CPU per group; a process that started in between counts from zero. */
  stop(): Record<string, number> {
    const after = this.read();
    const out: Record<string, number> = {};
    for (const [name, pids] of after) {
      let ticks = 0;
      for (const [pid, t] of pids) ticks += t - (this.before.get(name)?.get(pid) ?? 0);
      out[name] = ticks / TICKS;
    }
    return out;
  }
}

/** Machine-wide busy and total CPU seconds from /proc/stat's first line (all cores). */
export function machineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((s, v) => s + v, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: (total - idle) / TICKS, total: total / TICKS };
}
