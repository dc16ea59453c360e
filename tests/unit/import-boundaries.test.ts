import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const packageImports: Record<string, string> = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).imports ?? {};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return files(p);
    return /\.(ts|svelte)$/.test(f) && !/\.test\.ts$/.test(f) ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** A relative path, or a package.json "imports" alias such as `#shared/*` (the renderer's way to shared/). */
function resolveRelative(from: string, spec: string): string | undefined {
  const alias = Object.entries(packageImports).find(([key]) => spec.startsWith(key.replace(/\*$/, '')));
  const base = alias ? resolve(root, alias[1].replace(/\*$/, '') + spec.slice(alias[0].length - 1)) : resolve(dirname(from), spec);
  for (const candidate of [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Every file reachable from the entries through relative imports, and the packages they import. */
function graph(entries: string[]): { files: Set<string>; packages: Map<string, string> } {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const stack = [...entries];
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const spec of importsOf(f)) {
      if (spec.startsWith('.') || spec.startsWith('#')) {
        const target = resolveRelative(f, spec);
        if (target) stack.push(target);
      } else {
        packages.set(spec, relative(root, f));
      }
    }
  }
  return { files: seen, packages };
}

const NODE_ONLY = /^(node:|fs$|path$|os$|crypto$|child_process$|worker_threads$|better-sqlite3|kysely|electron|fastify|@fastify\/)/;

describe('code is separated by where it runs', () => {
  it('the renderer reaches no Node, Electron or database code', () => {
    const { files: reached, packages } = graph(files(join(root, 'renderer/src')));
    const outside = [...reached].map((f) => relative(root, f)).filter((f) => f.startsWith('shared/node/') || f.startsWith('electron/'));
    expect(outside).toEqual([]);
    expect([...packages].filter(([p]) => NODE_ONLY.test(p))).toEqual([]);
    expect(reached.size).toBeGreaterThan(10);
  });

  it('the shared domain (everything outside shared/node) imports no Node, Electron or DOM-only code', () => {
    const common = files(join(root, 'shared')).filter((f) => !relative(root, f).startsWith('shared/node/'));
    const { files: reached, packages } = graph(common);
    expect([...reached].map((f) => relative(root, f)).filter((f) => f.startsWith('shared/node/') || f.startsWith('electron/'))).toEqual([]);
    expect([...packages].filter(([p]) => NODE_ONLY.test(p))).toEqual([]);
    for (const f of common) expect(readFileSync(f, 'utf8'), relative(root, f)).not.toMatch(/\b(window|document|localStorage)\.[A-Za-z_]/);
  });

  it('the preload imports nothing but electron and its channel name', () => {
    const { files: reached, packages } = graph([join(root, 'electron/preload.ts')]);
    expect([...reached].map((f) => relative(root, f)).sort()).toEqual(['electron/channels.ts', 'electron/preload.ts']);
    expect([...packages.keys()]).toEqual(['electron']);
  });
});

/**
 * The floor tables: a folder may import only folders on a LOWER floor (never
 * its own floor, never one above). Each table is the declaration; the tests
 * below hold the code to it and make every existing folder take a place.
 */
const TOP_FLOORS: Record<string, number> = {
  // The domain core and the contract, reused by every process.
  shared: 0,
  // The three programs built on it; none of them imports another.
  renderer: 1,
  electron: 1,
  server: 1,
  // Tools that drive the programs (benchmarks, packaging, the settlement CLI).
  scripts: 2,
};
/** Top-level folders outside the layering: tests and their fixtures may reach anything (and only scripts may reuse them), build holds resources. */
const TOP_UNLAYERED = ['tests', 'build', 'node_modules', 'dist', 'release', 'coverage'];

const DOMAIN_FLOORS: Record<string, number> = {
  // Money, time, districts, roles and errors: everything builds on them.
  common: 0,
  // Texts need only the common formatters; a round's spec needs only common types.
  i18n: 1,
  rounds: 1,
  // The ledger's events and rules, report parameters and the simulation all read a round's spec.
  ledger: 2,
  reports: 2,
  simulation: 2,
  // Matching settlement files against the ledger's payments.
  reconcile: 3,
  // The protocol carries ledger events, round specs and reconcile adjustments.
  sync: 4,
  // The typed contract names the schemas of all of the above.
  api: 5,
  // The Node side (its own table below) may use any domain folder.
  node: 6,
};

const NODE_FLOORS: Record<string, number> = {
  // Where the data folder's files live.
  'paths.ts': 0,
  // Infrastructure with no knowledge of the database: sealing secrets, upload files, the job registry, the log's hash
  // rule (pure functions the migrations relink with, as the ledger and the server do), the PDF page kit.
  chain: 1,
  pdf: 1,
  secrets: 1,
  uploads: 1,
  jobs: 1,
  // The ledger database: table types, opening, migrations (work after them is the backend registry's hook).
  db: 2,
  // The handler kit every capability is written against: call context, session user, deps, command ids, outbox, audit append.
  kernel: 3,
  // The ledger is read by everything that follows.
  ledger: 4,
  // Rounds and sync both stand on the ledger; sync reaches capabilities above it only through the hooks they register.
  rounds: 5,
  sync: 5,
  // Reports read rounds and keep their summaries through a sync hook; audit anchors through the sync connection.
  reports: 6,
  audit: 6,
  // Capabilities that use reports, rounds, audit or the ledger and that nothing else imports.
  auth: 7,
  calibration: 7,
  reconcile: 7,
  refunds: 7,
  simulation: 7,
  // The live sale's monitor and steering: asks the server through sync's client, reads rounds and stored simulation runs.
  sale: 7,
  // The registry: assembles the capabilities, their deps and hooks.
  backend: 8,
  // The web host runs a backend (through its worker client) and serves it over HTTP; above it, beside Electron.
  web: 9,
};

/** The floor unit of a file under each table: its top-level folder, its shared/ domain folder, or its shared/node folder (or root file). */
function unitIn(table: 'top' | 'domain' | 'node', rel: string): string | undefined {
  const parts = rel.split('/');
  if (table === 'top') return parts[0];
  if (parts[0] !== 'shared' || parts.length < 3) return undefined;
  if (table === 'domain') return parts[1];
  return parts[1] === 'node' && parts.length >= 3 ? parts[2] : undefined;
}

function backUpImports(table: 'top' | 'domain' | 'node', floors: Record<string, number>): string[] {
  const sources = Object.keys(TOP_FLOORS).flatMap((top) => files(join(root, top === 'renderer' ? 'renderer/src' : top)));
  const found: string[] = [];
  for (const f of sources) {
    const from = relative(root, f);
    for (const spec of importsOf(f)) {
      if (!spec.startsWith('.') && !spec.startsWith('#shared/')) continue;
      const target = resolveRelative(f, spec);
      if (!target) continue;
      const to = relative(root, target);
      const a = unitIn(table, from);
      const b = unitIn(table, to);
      if (a === undefined || b === undefined || a === b) continue;
      if (table === 'node' && !(from.startsWith('shared/node/') && to.startsWith('shared/node/'))) continue;
      if (table === 'domain' && !(from.startsWith('shared/') && to.startsWith('shared/'))) continue;
      if (table === 'top' && TOP_UNLAYERED.includes(b)) {
        // Only the tools reuse test fixtures; the programs never ship test code.
        if (a !== 'scripts') found.push(`${from} -> ${to} (into ${b}, which is outside the layering)`);
        continue;
      }
      const fa = floors[a];
      const fb = floors[b];
      if (fa === undefined || fb === undefined) continue; // an unplaced folder fails its own test below
      if (fb >= fa) found.push(`${from} -> ${to} (${a} on floor ${fa} imports ${b} on floor ${fb})`);
    }
  }
  return found.sort();
}

function entries(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(join(root, dir)).filter((name) => keep(name) && !name.startsWith('.'));
}

describe('layers: every import runs down the floor tables', () => {
  it('every folder has a floor', () => {
    // A top-level folder holding source (not build output or test reports) must be placed.
    const top = entries('.', (n) => n !== 'node_modules' && statSync(join(root, n)).isDirectory() && files(join(root, n)).length > 0);
    expect(top.filter((n) => !(n in TOP_FLOORS) && !TOP_UNLAYERED.includes(n))).toEqual([]);
    const domain = entries('shared', (n) => statSync(join(root, 'shared', n)).isDirectory());
    expect(domain.filter((n) => !(n in DOMAIN_FLOORS))).toEqual([]);
    const node = entries('shared/node', (n) => statSync(join(root, 'shared/node', n)).isDirectory() || (n.endsWith('.ts') && !n.endsWith('.test.ts')));
    expect(node.filter((n) => !(n in NODE_FLOORS))).toEqual([]);
    // And no floor names a folder that is gone.
    expect(Object.keys(NODE_FLOORS).filter((n) => !node.includes(n))).toEqual([]);
    expect(Object.keys(DOMAIN_FLOORS).filter((n) => !domain.includes(n))).toEqual([]);
  });

  it('between the top-level folders', () => {
    expect(backUpImports('top', TOP_FLOORS)).toEqual([]);
  });

  it('between the shared/ domain folders', () => {
    expect(backUpImports('domain', DOMAIN_FLOORS)).toEqual([]);
  });

  it('between the shared/node folders', () => {
    expect(backUpImports('node', NODE_FLOORS)).toEqual([]);
  });
});
