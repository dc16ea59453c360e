import { Worker } from 'node:worker_threads';
import { simulate, SimulationCancelled } from '../../simulation/engine.js';
import type { SimParams } from '../../simulation/params.js';
import type { SimResult } from '../../simulation/result.js';

export interface SimRunner {
  run(params: SimParams, onProgress: (fraction: number) => void, signal: AbortSignal): Promise<SimResult>;
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
    concurrency = 2,
  ) {
    this.gate = new Gate(concurrency);
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
}
