import type { Output } from '#shared/api/contract.js';
import { send } from './api/client.js';

export type Job = Output<'jobs.get'>;

/**
 * Polls a backend job until it ends, reporting each state. Polling keeps the
 * transport the same for IPC and HTTP; four times a second is smooth enough
 * for a progress bar and nothing for the backend.
 */
export async function followJob(id: string, onUpdate: (job: Job) => void, intervalMs = 250): Promise<Job> {
  for (;;) {
    const job = await send('jobs.get', { id });
    onUpdate(job);
    if (job.state !== 'running') return job;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
