// Bundles the central server into dist/server/main.cjs, so a server host needs
// only `npm ci --omit=dev` and Node: no tsx, no TypeScript, no dev packages.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { nodeBundle } from './node-bundle.mjs';

/**
 * The bundle and the files it reads beside itself, into `outdir`. The test runs build one of their own
 * (tests/support/pg-global-setup.ts): every server a test starts then loads one file instead of tsx
 * compiling the server's sources again in each process.
 */
export async function buildServer(outdir) {
  await build({
    entryPoints: { main: 'server/main.ts' },
    ...nodeBundle,
    outdir,
    // PGlite loads its WebAssembly and data files from its own folder at run time,
    // so it stays in node_modules (a runtime dependency); pg-native is pg's optional
    // native binding, never installed here. better-sqlite3 (the snapshots, built with the
    // console's own migrations) loads its native module from its own folder too.
    external: ['@electric-sql/pglite', 'pg-native', 'better-sqlite3'],
  });
  // The sale gate's Redis Functions library and the buyer page are read at run time, beside the bundle (server/sale/asset.ts).
  for (const file of ['sale.lua', 'bucket.lua', 'buyer-page.html']) copyFileSync(join('server/sale/redis', file), join(outdir, file));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildServer('dist/server');
