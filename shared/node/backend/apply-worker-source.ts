import { fileURLToPath } from 'node:url';
import type { ApplyThreadSpec } from '../sync/apply-thread.js';

/**
 * The sync applier's thread run from the repository's TypeScript (benches,
 * tests and tools that open a file-backed backend with tsx); a bundle passes
 * its own dist/node/apply-worker.cjs instead. Kept out of backend.ts, which is bundled.
 */
export function applyWorkerFromSource(setup?: string): ApplyThreadSpec {
  return { file: fileURLToPath(new URL('./apply-worker.ts', import.meta.url)), source: true, ...(setup !== undefined ? { setup } : {}) };
}
