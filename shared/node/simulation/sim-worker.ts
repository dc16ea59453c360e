/** One simulation in its own thread: the backend starts one per run, and terminates it to cancel. */
import { parentPort, workerData } from 'node:worker_threads';
import { simulate } from '../../simulation/engine.js';
import type { SimParams } from '../../simulation/params.js';

const port = parentPort!;
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
