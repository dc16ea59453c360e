import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../auth/password.js';
import { PRODUCTION_SCRYPT, scryptCost } from './kdf-cost.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Every TypeScript and Svelte file under `dir`, skipping node_modules and build output. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(ts|svelte|mjs)$/.test(e.name) ? [path] : [];
  });
}

describe('scrypt cost', () => {
  it('is production’s, 2^15, unless a test harness lowered it', async () => {
    expect(PRODUCTION_SCRYPT).toEqual({ N: 32768, r: 8, p: 1 });
    expect(scryptCost()).toEqual({ N: 32768, r: 8, p: 1 });
    expect(await hashPassword('correct horse battery')).toMatch(/^scrypt\$32768\$8\$1\$/);
  });

  it('is lowered by no code the console, web host, Electron or server runs: only by test support', () => {
    const callers = ['shared', 'electron', 'renderer', 'server', 'scripts', 'tests']
      .flatMap((d) => sources(join(ROOT, d)))
      .filter((f) => !f.endsWith('kdf-cost.ts') && !f.endsWith('kdf-cost.test.ts') && readFileSync(f, 'utf8').includes('cheapScryptForTests'))
      .map((f) => relative(ROOT, f));
    expect(callers).toEqual(['tests/support/backend-harness.ts']);
  });
});
