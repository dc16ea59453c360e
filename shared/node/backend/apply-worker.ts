/**
 * The sync applier's own thread (shared/node/sync/apply-thread.ts): its own
 * write connection to the ledger, and the capabilities' ledger hooks (the
 * report summaries), which must run in the transaction that writes each page.
 * Bundled as dist/node/apply-worker.cjs; run from the repository by tsx.
 */
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/open.js';
import { serveApplies } from '../sync/apply-thread.js';
import { LEDGER_WRITE_HOOKS } from './hooks.js';

/** A write waits for another connection's (the backend's own writes) rather than failing the page; this thread may wait. */
const BUSY_MS = 60_000;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('apply worker started outside a worker thread');
  const { ledgerFile, setup } = workerData as { ledgerFile: string; setup?: string };
  try {
    const { sqlite } = openDatabase(ledgerFile);
    sqlite.pragma(`busy_timeout = ${BUSY_MS}`);
    if (setup) ((await import(pathToFileURL(setup).href)) as { default: (s: typeof sqlite) => void }).default(sqlite);
    serveApplies(port, sqlite, LEDGER_WRITE_HOOKS);
    port.postMessage({ ready: true });
  } catch (e) {
    port.postMessage({ fatal: e instanceof Error ? e.message : String(e) });
  }
}

void main();
