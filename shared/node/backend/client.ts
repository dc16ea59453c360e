import { Worker } from 'node:worker_threads';
import type { Envelope, InvokeRequest } from '../../api/envelope.js';
import { translate } from '../../i18n/index.js';
import type { WorkerInbound, WorkerOutbound } from './worker-protocol.js';

function internalError(detail: string): Envelope {
  return { ok: false, error: { code: 'internal', key: 'errors.internal', message: `${translate('en', 'errors.internal')} (${detail})` } };
}

/** The host side of the backend worker: request/reply with ids over postMessage. */
export class BackendClient {
  private nextId = 1;
  private readonly pending = new Map<number, (e: Envelope) => void>();
  private dead: string | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: WorkerOutbound) => {
      if (m.type !== 'reply') return;
      const resolve = this.pending.get(m.id);
      this.pending.delete(m.id);
      resolve?.(m.envelope);
    });
    const fail = (why: string) => {
      this.dead = why;
      for (const resolve of this.pending.values()) resolve(internalError(why));
      this.pending.clear();
    };
    worker.on('error', (e) => fail(`backend worker crashed: ${e.message}`));
    worker.on('exit', (code) => fail(`backend worker exited with code ${code}`));
  }

  /**
   * Starts the worker and waits until the database is open and migrated.
   * `dataKey` (base64) is the vault's key when the host keeps it (Electron's
   * safeStorage); without it the worker uses a key file in the data folder.
   */
  static start(workerFile: string, dataDir: string, dataKey?: string): Promise<BackendClient> {
    const worker = new Worker(workerFile, { workerData: { dataDir, ...(dataKey !== undefined ? { dataKey } : {}) } });
    return new Promise((resolve, reject) => {
      const onMessage = (m: WorkerOutbound) => {
        if (m.type === 'ready') {
          worker.off('message', onMessage);
          resolve(new BackendClient(worker));
        } else if (m.type === 'fatal') {
          void worker.terminate();
          reject(new Error(m.message));
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  }

  invoke(request: InvokeRequest): Promise<Envelope> {
    if (this.dead) return Promise.resolve(internalError(this.dead));
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ type: 'invoke', id, request } satisfies WorkerInbound);
    });
  }

  async close(): Promise<void> {
    if (this.dead) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000);
      this.worker.on('message', (m: WorkerOutbound) => {
        if (m.type === 'closed') {
          clearTimeout(timer);
          resolve();
        }
      });
      this.worker.postMessage({ type: 'close' } satisfies WorkerInbound);
    });
    await this.worker.terminate();
  }
}
