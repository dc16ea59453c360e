import { performance } from 'node:perf_hooks';

export type Call = (method: string, input: unknown, session?: string) => Promise<unknown>;

/**
 * A page open while `work` runs: the status bar's poll and the ledger grid's first page of `roundId`, one
 * after the other every 50 ms, as the UI does (issue 21: reads answered in < 100 ms during a sync). Every
 * read's time, and the grid's alone; `on` false reads nothing (the work's CPU then is its own).
 */
export async function readsDuring<T>(work: Promise<T>, call: Call, token: string, roundId: string, on = true): Promise<{ result: T; reads: number[]; grid: number[] }> {
  const reads: number[] = [];
  const grid: number[] = [];
  let working = on;
  const reader = (async () => {
    while (working) {
      for (const [method, input] of [['sync.status', {}], ['ledger.rows', { roundId, startRow: 0, endRow: 100 }]] as const) {
        const s0 = performance.now();
        await call(method, input, token);
        reads.push(performance.now() - s0);
        if (method === 'ledger.rows') grid.push(performance.now() - s0);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const result = await work.finally(() => (working = false));
  await reader;
  return { result, reads, grid };
}
