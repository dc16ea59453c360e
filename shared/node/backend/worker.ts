/**
 * The backend's own thread: the database and every handler run here, so
 * neither Electron's main process nor the web host's HTTP loop ever blocks
 * on SQLite or a long computation.
 */
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { InvokeRequest } from '../../api/envelope.js';
import { createBackend } from './backend.js';
import type { WorkerInbound, WorkerOutbound } from './worker-protocol.js';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('backend worker started outside a worker thread');
  const { dataDir, dataKey } = workerData as { dataDir: string; dataKey?: string };
  // Bundled side by side in dist/node.
  const simWorkerFile = join(__dirname, 'sim-worker.cjs');
  const applyThread = { file: join(__dirname, 'apply-worker.cjs') };
  const post = (m: WorkerOutbound) => port.postMessage(m);
  try {
    const backend = await createBackend({ dataDir, simWorkerFile, applyThread, ...(dataKey !== undefined ? { dataKey } : {}) });
    port.on('message', (m: WorkerInbound) => {
      if (m.type === 'invoke') {
        void backend.invoke(m.request as InvokeRequest).then((envelope) => post({ type: 'reply', id: m.id, envelope }));
      } else if (m.type === 'close') {
        void backend.close().then(() => post({ type: 'closed' }));
      }
    });
    post({ type: 'ready' });
  } catch (e) {
    post({ type: 'fatal', message: e instanceof Error ? e.message : String(e) });
  }
}

void main();
