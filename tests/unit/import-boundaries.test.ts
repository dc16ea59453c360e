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
