// Bundles everything that runs in Node (Electron main and preload, the
// backend worker, the web host) into dist/, next to the built renderer.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { nodeBundle } from './node-bundle.mjs';

const common = {
  ...nodeBundle,
  // better-sqlite3 is native; electron is provided by the runtime; the web host
  // runs from the repository, so its HTTP server stays in node_modules.
  // pdfkit reads its own data files at run time, so it stays in node_modules (a runtime dependency).
  external: ['electron', 'better-sqlite3', 'fastify', '@fastify/static', 'pdfkit'],
};

await Promise.all([
  build({ ...common, entryPoints: { main: 'electron/main.ts' }, outdir: 'dist/electron' }),
  build({ ...common, entryPoints: { preload: 'electron/preload.ts' }, outdir: 'dist/electron' }),
  build({
    ...common,
    entryPoints: {
      'backend-worker': 'shared/node/backend/worker.ts',
      'sim-worker': 'shared/node/simulation/sim-worker.ts',
      'apply-worker': 'shared/node/backend/apply-worker.ts',
      'web-host': 'shared/node/web/main.ts',
    },
    outdir: 'dist/node',
  }),
]);

// Pretendard (SIL OFL 1.1) for Korean text in PDF reports.
mkdirSync('dist/fonts', { recursive: true });
for (const weight of ['Regular', 'Bold']) {
  copyFileSync(`node_modules/pretendard/dist/public/static/alternative/Pretendard-${weight}.ttf`, `dist/fonts/Pretendard-${weight}.ttf`);
}
