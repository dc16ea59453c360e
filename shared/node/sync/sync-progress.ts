/** What a running sync still has to apply, for the status bar: events left and, once a page is in, the time at the rate so far. */
export interface SyncRunning {
  left: number;
  etaSeconds: number | null;
}

/**
 * Follows one pull page by page. The rate is taken over the whole pull so
 * far rather than the last page, so the estimate does not jump with each page.
 */
export class PullProgress {
  private startSeq = 0;
  private startedMs = 0;
  private appliedSeq = 0;
  private headSeq = 0;

  constructor(private readonly ms: () => number) {}

  start(seq: number): void {
    this.startSeq = this.appliedSeq = this.headSeq = seq;
    this.startedMs = this.ms();
  }

  page(appliedSeq: number, headSeq: number): void {
    this.appliedSeq = appliedSeq;
    this.headSeq = Math.max(headSeq, appliedSeq);
  }

  view(): SyncRunning {
    const left = this.headSeq - this.appliedSeq;
    const done = this.appliedSeq - this.startSeq;
    const seconds = (this.ms() - this.startedMs) / 1000;
    return { left, etaSeconds: done > 0 && seconds > 0 ? Math.ceil(left / (done / seconds)) : null };
  }
}
