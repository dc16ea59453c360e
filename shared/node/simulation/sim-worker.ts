/**
 * Simulations in their own thread. With params in workerData: one run, then
 * the backend terminates the thread (which is how a run is cancelled). With
 * no workerData: a warm worker that answers quick checks one after another,
 * so the editor's checks do not pay for a cold start each time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { simulate } from '../../simulation/engine.js';
import type { SimParams } from '../../simulation/params.js';

const port = parentPort!;
if (workerData) {
  try {
    let last = 0;
    const result = simulate(workerData as SimParams, {
      onProgress: (fraction) => {
        // A few dozen messages per run are plenty for a progress bar.
        if (fraction - last >= 0.02 || fraction === 1) {
          last = fraction;
          port.postMessage({ type: 'progress', fraction });
        }
      },
    });
    port.postMessage({ type: 'done', result });
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
} else {
  port.on('message', (m: { id: number; params: SimParams }) => {
    try {
      port.postMessage({ id: m.id, type: 'done', result: simulate(m.params) });
    } catch (e) {
      port.postMessage({ id: m.id, type: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  });
}
