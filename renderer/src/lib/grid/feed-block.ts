import type { IGetRowsParams } from 'ag-grid-community';
import { describeFailure } from '../errors.js';
import { errorText } from '../i18n.svelte.js';

/** What a paged procedure answers for one block of an infinite grid. */
export interface RowBlock<R> {
  rows: R[];
  /** The number of rows in all, once the server knows it (null: more may follow). */
  lastRow: number | null;
}

/**
 * Hands one block's answer to the infinite grid that asked for it: the first block's total goes to `onCount`,
 * a refusal's message to `onProblem` and the grid is told the block failed (it asks again on the next scroll).
 */
export function feedBlock<R>(answer: Promise<RowBlock<R>>, p: IGetRowsParams, onCount: (n: number) => void, onProblem: (message: string) => void): Promise<void> {
  return answer
    .then((r) => {
      if (r.lastRow !== null && p.startRow === 0) onCount(r.lastRow);
      p.successCallback(r.rows, r.lastRow ?? undefined);
    })
    .catch((e: unknown) => {
      onProblem(describeFailure(e, errorText).message);
      p.failCallback();
    });
}
