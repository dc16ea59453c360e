import { Worker } from 'node:worker_threads';
import { simulate, simulateIfSoldOutBy, SimulationCancelled } from '../../simulation/engine.js';
import { preset2022, type SimParams } from '../../simulation/params.js';
import type { SimResult } from '../../simulation/result.js';
import type { SimRunner } from '../kernel/sim-runner.js';

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
 * Runs on warm worker threads, at most as many at once as the machine has
 * cores to spare; cancelling terminates the thread mid-run.
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

  /** Warm threads shared by runs, probes and batches: at most `concurrency`, reused while healthy. */
  private idle: Worker[] = [];

  /**
   * One run on a warm thread once the gate lets it in. Cancelling terminates
   * that thread (the only way to stop a run mid-way); the pool starts a fresh
   * one for the next run. A warm thread saves each run the thread start and
   * the JIT warm-up, a quarter of a 700,000-visitor run.
   */
  private async exec(params: SimParams, onProgress: ((fraction: number) => void) | null, signal: AbortSignal, soldOutByMinute?: number): Promise<SimResult | null> {
    await this.gate.enter();
    let w: Worker | undefined;
    try {
      if (signal.aborted) throw new SimulationCancelled();
      w = this.idle.pop() ?? this.spawnPooled();
      const worker = w;
      const id = this.nextId++;
      return await new Promise<SimResult | null>((resolve, reject) => {
        type Message = { id: number; type: 'progress'; fraction: number } | { id: number; type: 'done'; result: SimResult | null } | { id: number; type: 'error'; message: string };
        const onMessage = (m: Message) => {
          if (m.id !== id) return;
          if (m.type === 'progress') return onProgress?.(m.fraction);
          finish();
          if (m.type === 'done') resolve(m.result);
          else reject(new Error(`simulation failed: ${m.message}`));
        };
        const onExit = () => (finish(), reject(new SimulationCancelled()));
        const onError = (e: Error) => (finish(), reject(e));
        const abort = () => {
          finish();
          void worker.terminate();
          reject(new SimulationCancelled());
        };
        const finish = () => {
          worker.off('message', onMessage);
          worker.off('exit', onExit);
          worker.off('error', onError);
          signal.removeEventListener('abort', abort);
        };
        worker.on('message', onMessage);
        worker.on('exit', onExit);
        worker.on('error', onError);
        signal.addEventListener('abort', abort, { once: true });
        worker.postMessage({ id, params, progress: onProgress !== null, soldOutByMinute });
      }).catch((e: unknown) => {
        // A thread that failed or was cancelled is not reused.
        if (w) void w.terminate();
        w = undefined;
        throw e;
      });
    } finally {
      if (w) this.idle.push(w);
      this.gate.leave();
    }
  }

  /**
   * Starts the pool's threads and runs a small sale on each, so the first
   * study after the app starts does not pay for thread start-up and the JIT
   * warming up (seconds on a loaded machine). A few hundred milliseconds of
   * work per thread; failures are harmless.
   */
  async warmUp(): Promise<void> {
    // The first 10 minutes of the 2022 sale (the rush: logouts, returns, turned-away visitors), with and
    // without the cut-off, so the paths a study takes are compiled and the heap has grown to a sale's size.
    const small = preset2022();
    const cut = { ...small, waitingRoom: { ...small.waitingRoom, stockCutoff: true } };
    const signal = new AbortController().signal;
    // One per thread: the gate hands each thread one of them.
    await Promise.all(Array.from({ length: this.concurrency }, (_, i) => this.exec(i % 2 ? cut : small, null, signal, 10))).catch(() => undefined);
  }

  /** Threads started and idle, ready for the next run. */
  get readyThreads(): number {
    return this.idle.length;
  }

  private spawnPooled(): Worker {
    const w = new Worker(this.workerFile, { workerData: null });
    w.unref();
    return w;
  }

  async runMany(batch: readonly SimParams[], signal: AbortSignal): Promise<SimResult[]> {
    if (signal.aborted) throw new SimulationCancelled();
    // The gate queues runs in the order given, so each thread takes the next run when it finishes one.
    const results = await Promise.all(batch.map((p) => this.exec(p, null, signal)));
    if (signal.aborted) throw new SimulationCancelled();
    return results as SimResult[];
  }

  async run(params: SimParams, onProgress: (fraction: number) => void, signal: AbortSignal): Promise<SimResult> {
    return (await this.exec(params, onProgress, signal))!;
  }

  probe(params: SimParams, soldOutByMinute: number, onProgress: (fraction: number) => void, signal: AbortSignal): Promise<SimResult | null> {
    return this.exec(params, onProgress, signal, soldOutByMinute);
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

  async probe(params: SimParams, soldOutByMinute: number, onProgress: (fraction: number) => void, signal: AbortSignal): Promise<SimResult | null> {
    await new Promise((r) => setImmediate(r));
    if (signal.aborted) throw new SimulationCancelled();
    return simulateIfSoldOutBy(params, soldOutByMinute, { onProgress, shouldStop: () => signal.aborted });
  }

  async runMany(batch: readonly SimParams[], signal: AbortSignal): Promise<SimResult[]> {
    const out: SimResult[] = [];
    for (const p of batch) out.push(await this.run(p, () => {}, signal));
    return out;
  }
}
