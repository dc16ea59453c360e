// Bundles the central server into dist/server/main.cjs, so a server host needs
// only `npm ci --omit=dev` and Node: no tsx, no TypeScript, no dev packages.
import { copyFileSync } from 'node:fs';
import { build } from 'esbuild';
import { nodeBundle } from './node-bundle.mjs';

await build({
  entryPoints: { main: 'server/main.ts' },
  ...nodeBundle,
  outdir: 'dist/server',
  // PGlite loads its WebAssembly and data files from its own folder at run time,
  // so it stays in node_modules (a runtime dependency); pg-native is pg's optional
  // native binding, never installed here. better-sqlite3 (the snapshots, built with the
  // console's own migrations) loads its native module from its own folder too.
  external: ['@electric-sql/pglite', 'pg-native', 'better-sqlite3'],
});

// The sale gate's Redis Functions library and the buyer page are read at run time, beside the bundle (server/sale/asset.ts).
copyFileSync('server/sale/redis/sale.lua', 'dist/server/sale.lua');
copyFileSync('server/sale/redis/bucket.lua', 'dist/server/bucket.lua');
copyFileSync('server/sale/redis/buyer-page.html', 'dist/server/buyer-page.html');
