/**
 * Simulations in their own thread. With params in workerData: one run, then
 * the backend terminates the thread. With no workerData: a warm worker that
 * answers runs one after another (a pool's thread, or the editor's quick
 * checks), so runs do not pay for a cold start and a fresh JIT each time;
 * a run on it is cancelled by terminating the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { simulate, simulateIfSoldOutBy } from '../../simulation/engine.js';
import type { SimParams } from '../../simulation/params.js';

const port = parentPort!;

/** A few dozen progress messages per run are plenty for a progress bar. */
function throttled(send: (fraction: number) => void): (fraction: number) => void {
  let last = 0;
  return (fraction) => {
    if (fraction - last >= 0.02 || fraction === 1) {
      last = fraction;
      send(fraction);
    }
  };
}

if (workerData) {
  try {
    const result = simulate(workerData as SimParams, { onProgress: throttled((fraction) => port.postMessage({ type: 'progress', fraction })) });
    port.postMessage({ type: 'done', result });
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
} else {
  port.on('message', (m: { id: number; params: SimParams; progress?: boolean; soldOutByMinute?: number }) => {
    try {
      const onProgress = m.progress ? throttled((fraction) => port.postMessage({ id: m.id, type: 'progress', fraction })) : undefined;
      const result = m.soldOutByMinute !== undefined ? simulateIfSoldOutBy(m.params, m.soldOutByMinute, { onProgress }) : simulate(m.params, { onProgress });
      port.postMessage({ id: m.id, type: 'done', result });
    } catch (e) {
      port.postMessage({ id: m.id, type: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  });
}
