import { Worker } from 'node:worker_threads';
import { simulate, SimulationCancelled } from '../../simulation/engine.js';
import type { SimParams } from '../../simulation/params.js';
import type { SimResult } from '../../simulation/result.js';

export interface SimRunner {
  run(params: SimParams, onProgress: (fraction: number) => void, signal: AbortSignal): Promise<SimResult>;
  /** A short run (the editor's check) on a thread kept warm for it; one at a time. */
  quick(params: SimParams, signal: AbortSignal): Promise<SimResult>;
  /** Many short runs (a calibration's evaluations), spread over warm threads; results in the order given. */
  runMany(batch: readonly SimParams[], signal: AbortSignal): Promise<SimResult[]>;
}

/** Lets at most `n` runs go at once; the rest wait their turn. */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly n: number) {}
  async enter(): Promise<void> {
    if (this.active < this.n) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  leave(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

/**
 * Each run in a worker thread of its own (one per replication), at most as
 * many at once as the machine has cores to spare; cancelling terminates the
 * thread mid-run.
 */
export class WorkerSimRunner implements SimRunner {
  private readonly gate: Gate;
  constructor(
    private readonly workerFile: string,
    private readonly concurrency = 2,
  ) {
    this.gate = new Gate(concurrency);
  }

  private warm: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: SimResult) => void; reject: (e: Error) => void }>();
  private queue: Promise<unknown> = Promise.resolve();

  /** The warm thread, started on first use; unref'd so it never keeps the process alive. */
  private warmWorker(): Worker {
    if (this.warm) return this.warm;
    const w = new Worker(this.workerFile, { workerData: null });
    w.unref();
    w.on('message', (m: { id: number; type: 'done'; result: SimResult } | { id: number; type: 'error'; message: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.type === 'done') p.resolve(m.result);
      else p.reject(new Error(`simulation failed: ${m.message}`));
    });
    const fail = (e: Error) => {
      if (this.warm === w) this.warm = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', () => fail(new SimulationCancelled()));
    this.warm = w;
    return w;
  }

  quick(params: SimParams, signal: AbortSignal): Promise<SimResult> {
    // One at a time: a check queued behind another waits rather than competing for the core.
    const task = this.queue.then(
      () =>
        new Promise<SimResult>((resolve, reject) => {
          if (signal.aborted) return reject(new SimulationCancelled());
          const id = this.nextId++;
          const w = this.warmWorker();
          // Cancelling a check stops the warm thread; the next check starts a fresh one.
          const abort = () => void w.terminate();
          signal.addEventListener('abort', abort, { once: true });
          this.pending.set(id, {
            resolve: (r) => (signal.removeEventListener('abort', abort), resolve(r)),
            reject: (e) => (signal.removeEventListener('abort', abort), reject(e)),
          });
          w.postMessage({ id, params });
        }),
    );
    this.queue = task.catch(() => undefined);
    return task;
  }

  /** Warm threads for batches, one per core to spare; started on first use, dropped when a batch is cancelled. */
  private pool: Worker[] = [];

  private poolWorkers(): Worker[] {
    while (this.pool.length < this.concurrency) {
      const w = new Worker(this.workerFile, { workerData: null });
      w.unref();
      this.pool.push(w);
    }
    return this.pool;
  }

  async runMany(batch: readonly SimParams[], signal: AbortSignal): Promise<SimResult[]> {
    if (signal.aborted) throw new SimulationCancelled();
    const workers = this.poolWorkers();
    const results = new Array<SimResult>(batch.length);
    let next = 0;
    // Each thread takes the next run when it finishes one, so a slow run does not hold the others back.
    const drive = (w: Worker) =>
      new Promise<void>((resolve, reject) => {
        const onMessage = (m: { id: number; type: 'done'; result: SimResult } | { id: number; type: 'error'; message: string }) => {
          if (m.type === 'error') return finish(new Error(`simulation failed: ${m.message}`));
          results[m.id] = m.result;
          send();
        };
        const onExit = () => finish(new SimulationCancelled());
        const onError = (e: Error) => finish(e);
        const finish = (e?: Error) => {
          w.off('message', onMessage);
          w.off('exit', onExit);
          w.off('error', onError);
          if (e) reject(e);
          else resolve();
        };
        const send = () => {
          if (next >= batch.length) return finish();
          const id = next++;
          w.postMessage({ id, params: batch[id] });
        };
        w.on('message', onMessage);
        w.on('exit', onExit);
        w.on('error', onError);
        send();
      });
    const abort = () => {
      const doomed = this.pool;
      this.pool = [];
      for (const w of doomed) void w.terminate();
    };
    signal.addEventListener('abort', abort, { once: true });
    try {
      await Promise.all(workers.map(drive));
    } catch (e) {
      // A thread that failed is not reused.
      abort();
      throw signal.aborted ? new SimulationCancelled() : e;
    } finally {
      signal.removeEventListener('abort', abort);
    }
    return results;
  }

  async run(params: SimParams, onProgress: (fraction: number) => void, signal: AbortSignal): Promise<SimResult> {
    await this.gate.enter();
    try {
      if (signal.aborted) throw new SimulationCancelled();
      return await new Promise<SimResult>((resolve, reject) => {
        const worker = new Worker(this.workerFile, { workerData: params });
        const abort = () => {
          void worker.terminate();
          reject(new SimulationCancelled());
        };
        signal.addEventListener('abort', abort, { once: true });
        const settle = () => signal.removeEventListener('abort', abort);
        worker.on('message', (m: { type: 'progress'; fraction: number } | { type: 'done'; result: SimResult } | { type: 'error'; message: string }) => {
          if (m.type === 'progress') onProgress(m.fraction);
          else if (m.type === 'done') {
            settle();
            resolve(m.result);
            void worker.terminate();
          } else {
            settle();
            reject(new Error(`simulation failed: ${m.message}`));
          }
        });
        worker.on('error', (e) => {
          settle();
          reject(e);
        });
      });
    } finally {
      this.gate.leave();
    }
  }
}

/** The engine in the calling thread: for tests, where a worker bundle is not built. */
export class InProcessSimRunner implements SimRunner {
  async run(params: SimParams, onProgress: (fraction: number) => void, signal: AbortSignal): Promise<SimResult> {
    // Yield first, so a cancel already queued is seen; a run in this thread cannot be interrupted from outside.
    await new Promise((r) => setImmediate(r));
    if (signal.aborted) throw new SimulationCancelled();
    return simulate(params, { onProgress, shouldStop: () => signal.aborted });
  }

  quick(params: SimParams, signal: AbortSignal): Promise<SimResult> {
    return this.run(params, () => {}, signal);
  }

  async runMany(batch: readonly SimParams[], signal: AbortSignal): Promise<SimResult[]> {
    const out: SimResult[] = [];
    for (const p of batch) out.push(await this.run(p, () => {}, signal));
    return out;
  }
}
