import type { SimParams } from '../../simulation/params.js';
import type { SimResult } from '../../simulation/result.js';

/** How handlers run simulations; the simulation capability provides the worker-thread and in-process runners. */
export interface SimRunner {
  run(params: SimParams, onProgress: (fraction: number) => void, signal: AbortSignal): Promise<SimResult>;
  /** A short run (the editor's check) on a thread kept warm for it; one at a time. */
  quick(params: SimParams, signal: AbortSignal): Promise<SimResult>;
  /** Many short runs (a calibration's evaluations), spread over warm threads; results in the order given. */
  runMany(batch: readonly SimParams[], signal: AbortSignal): Promise<SimResult[]>;
  /** A run that stops with null once the sale has not sold out by `soldOutByMinute` (engine.simulateIfSoldOutBy). */
  probe(params: SimParams, soldOutByMinute: number, onProgress: (fraction: number) => void, signal: AbortSignal): Promise<SimResult | null>;
}
