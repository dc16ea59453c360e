import { randomUUID } from 'node:crypto';
import { AppError, type ErrorPayload } from '../../common/errors.js';
import { translate } from '../../i18n/index.js';

import type { JobState } from '../../api/job-states.js';

export interface JobView {
  id: string;
  kind: string;
  state: JobState;
  /** 0..1 */
  progress: number;
  /** i18n key of what the job is doing now. */
  phase: string;
  startedAt: string;
  finishedAt: string | null;
  error: ErrorPayload | null;
  result: Record<string, string | number | null> | null;
}

export interface JobContext {
  signal: AbortSignal;
  progress(fraction: number, phase?: string): void;
}

interface Job extends JobView {
  ownerId: string;
  controller: AbortController;
}

/** Finished jobs are kept this long for the renderer to read their outcome. */
const KEEP_FINISHED_MS = 60 * 60_000;

/**
 * Long work (simulations, later imports, sync, exports) runs as jobs: started
 * by a call that returns at once, polled for progress, cancellable. Only the
 * person who started a job sees or cancels it.
 */
export class JobRegistry {
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly now: () => Date,
    private readonly log: (message: string, extra?: unknown) => void,
  ) {}

  start(kind: string, ownerId: string, task: (ctx: JobContext) => Promise<JobView['result']>): JobView {
    this.prune();
    const running = [...this.jobs.values()].find((j) => j.ownerId === ownerId && j.kind === kind && j.state === 'running');
    if (running) throw new AppError('conflict', 'jobs.alreadyRunning');
    const job: Job = {
      id: randomUUID(),
      kind,
      ownerId,
      state: 'running',
      progress: 0,
      phase: 'jobs.starting',
      startedAt: this.now().toISOString(),
      finishedAt: null,
      error: null,
      result: null,
      controller: new AbortController(),
    };
    this.jobs.set(job.id, job);
    const ctx: JobContext = {
      signal: job.controller.signal,
      progress: (fraction, phase) => {
        if (job.state !== 'running') return;
        job.progress = Math.max(job.progress, Math.min(1, fraction));
        if (phase) job.phase = phase;
      },
    };
    void task(ctx).then(
      (result) => {
        if (job.state !== 'running') return;
        job.state = 'done';
        job.progress = 1;
        job.result = result;
        job.finishedAt = this.now().toISOString();
      },
      (e: unknown) => {
        if (job.state !== 'running') return;
        job.finishedAt = this.now().toISOString();
        if (job.controller.signal.aborted) {
          job.state = 'cancelled';
          return;
        }
        job.state = 'failed';
        if (e instanceof AppError) {
          job.error = { code: e.code, key: e.key, message: translate('en', e.key, e.params), ...(e.params ? { params: e.params } : {}) };
        } else {
          this.log(`job ${kind} failed`, e);
          job.error = { code: 'internal', key: 'errors.internal', message: e instanceof Error ? e.message : String(e) };
        }
      },
    );
    return this.view(job);
  }

  get(id: string, ownerId: string): JobView {
    return this.view(this.owned(id, ownerId));
  }

  cancel(id: string, ownerId: string): JobView {
    const job = this.owned(id, ownerId);
    if (job.state === 'running') {
      job.controller.abort();
      job.state = 'cancelled';
      job.finishedAt = this.now().toISOString();
    }
    return this.view(job);
  }

  private owned(id: string, ownerId: string): Job {
    const job = this.jobs.get(id);
    // Someone else's job is reported as missing, not forbidden.
    if (!job || job.ownerId !== ownerId) throw new AppError('not_found', 'jobs.notFound');
    return job;
  }

  private view(job: Job): JobView {
    const { ownerId: _o, controller: _c, ...view } = job;
    return { ...view };
  }

  private prune(): void {
    const cutoff = this.now().getTime() - KEEP_FINISHED_MS;
    for (const [id, job] of this.jobs) if (job.finishedAt && Date.parse(job.finishedAt) < cutoff) this.jobs.delete(id);
  }
}
