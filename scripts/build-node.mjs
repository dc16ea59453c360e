// Bundles everything that runs in Node (Electron main and preload, the
// backend worker, the web host) into dist/, next to the built renderer.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  // better-sqlite3 is native; electron is provided by the runtime; the web host
  // runs from the repository, so its HTTP server stays in node_modules.
  external: ['electron', 'better-sqlite3', 'fastify', '@fastify/static'],
};

await Promise.all([
  build({ ...common, entryPoints: { main: 'electron/main.ts' }, outdir: 'dist/electron', outExtension: { '.js': '.cjs' } }),
  build({ ...common, entryPoints: { preload: 'electron/preload.ts' }, outdir: 'dist/electron', outExtension: { '.js': '.cjs' } }),
  build({
    ...common,
    entryPoints: { 'backend-worker': 'shared/node/backend/worker.ts', 'web-host': 'shared/node/web/main.ts' },
    outdir: 'dist/node',
    outExtension: { '.js': '.cjs' },
  }),
]);
