/**
 * A bounded pattern (compass) search: from the best point so far, try a step
 * up and down along every axis, move to the best improvement, and halve the
 * step when none improves. It needs no derivatives, tolerates the small
 * plateaus a simulated objective has, and every poll is a batch of
 * independent evaluations, so both cores are kept busy.
 */
export interface SearchOptions {
  /** Starting step, in unit-cube coordinates. */
  step?: number;
  /** Stop once the step is smaller than this. */
  minStep?: number;
  maxEvaluations: number;
  onProgress?: (evaluations: number, best: number) => void;
  signal?: AbortSignal;
}

export interface SearchResult {
  x: number[];
  value: number;
  evaluations: number;
}

/** Evaluates a batch of points of [0,1]^n; returns their objective values in order. */
export type BatchObjective = (points: number[][]) => Promise<number[]>;

export async function patternSearch(f: BatchObjective, start: readonly number[], options: SearchOptions): Promise<SearchResult> {
  const n = start.length;
  let x = start.map((v) => Math.min(1, Math.max(0, v)));
  let [value] = await f([x]);
  let evaluations = 1;
  let step = options.step ?? 0.25;
  const minStep = options.minStep ?? 1 / 256;
  let lastMove: number[] | null = null;
  while (step >= minStep && evaluations < options.maxEvaluations) {
    if (options.signal?.aborted) throw new Error('cancelled');
    const candidates: number[][] = [];
    // After a successful move, try the same move again (a pattern step) alongside the poll.
    if (lastMove) candidates.push(x.map((v, i) => Math.min(1, Math.max(0, v + lastMove![i]!))));
    for (let i = 0; i < n; i++) {
      for (const s of [step, -step]) {
        const y = x.slice();
        y[i] = Math.min(1, Math.max(0, y[i]! + s));
        if (y[i] !== x[i]) candidates.push(y);
      }
    }
    const room = options.maxEvaluations - evaluations;
    const batch = candidates.slice(0, Math.max(0, room));
    if (batch.length === 0) break;
    const values = await f(batch);
    evaluations += batch.length;
    let best = -1;
    for (let k = 0; k < values.length; k++) if (values[k]! < (best < 0 ? value! : values[best]!)) best = k;
    if (best >= 0 && values[best]! < value!) {
      lastMove = batch[best]!.map((v, i) => v - x[i]!);
      x = batch[best]!;
      value = values[best]!;
    } else {
      lastMove = null;
      step /= 2;
    }
    options.onProgress?.(evaluations, value!);
  }
  return { x, value: value!, evaluations };
}
