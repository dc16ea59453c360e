import type { Output } from '#shared/api/contract.js';
import { send } from './api/client.js';
import { followJob, type Job } from './jobs.js';

export type SyncStatus = Output<'sync.status'>;
export type AuditStatus = Output<'audit.status'>;

/**
 * The console's view of its sync, shared by the status bar and the Sync
 * page: refreshed every few seconds while signed in and after every sync,
 * so pending commands and errors show wherever the user is.
 */
export const sync = $state<{ status: SyncStatus | null; job: Job | null; unreachable: boolean; audit: AuditStatus }>({ status: null, job: null, unreachable: false, audit: null });

const POLL_MS = 5_000;
/** While a sync runs, what is left and how long are refreshed more often. */
const POLL_RUNNING_MS = 1_000;
let timer: ReturnType<typeof setTimeout> | undefined;
let watchers = 0;

export async function refreshSync(): Promise<SyncStatus | null> {
  try {
    // The audit verification runs in the backend at start and after every sync; its outcome travels with the sync status.
    [sync.status, sync.audit] = await Promise.all([send('sync.status', {}), send('audit.status', {})]);
    sync.unreachable = false;
  } catch {
    sync.unreachable = true;
  }
  return sync.status;
}

/** Polls while at least one component watches; returns the stop function for onMount. */
export function watchSync(): () => void {
  watchers++;
  if (watchers === 1) {
    const tick = async () => {
      await refreshSync();
      if (watchers > 0) timer = setTimeout(() => void tick(), sync.status?.running ? POLL_RUNNING_MS : POLL_MS);
    };
    void tick();
  }
  return () => {
    watchers--;
    if (watchers === 0) clearTimeout(timer);
  };
}

/** Starts a sync (or a repair) job and follows it; one at a time per console window. */
export async function runSyncJob(start: () => Promise<Job>): Promise<Job> {
  if (sync.job?.state === 'running') return sync.job;
  const first = await start();
  sync.job = first;
  try {
    return await followJob(first.id, (j) => (sync.job = j), 200);
  } catch (e) {
    // No longer followed (the user signed out and another signed in): not shown as running forever.
    if (sync.job?.id === first.id && sync.job.state === 'running') sync.job = null;
    throw e;
  } finally {
    await refreshSync();
  }
}

export async function cancelSyncJob(): Promise<void> {
  if (sync.job?.state === 'running') sync.job = await send('jobs.cancel', { id: sync.job.id });
}

const AUTO_SYNC_MS = 60_000;

/**
 * Syncs in the background once a minute while the console is connected, so
 * the ledger keeps up and queued commands go out without anyone clicking.
 * Failures only show in the status bar; the console keeps working offline.
 */
export function autoSync(): () => void {
  const id = setInterval(() => {
    // A sync another window or the timer of another tab started is under way: nothing to ask for.
    if (!sync.status?.configured || sync.job?.state === 'running' || sync.status.running) return;
    void runSyncJob(() => send('sync.run', {})).catch(() => undefined);
  }, AUTO_SYNC_MS);
  return () => clearInterval(id);
}

/**
 * Runs `work` now, again whenever the state it reads changes, and again after each sync that brings events
 * (the ledger's last sequence moves, not every poll), so a page's figures never stay behind a sync.
 * Call it while a component initialises.
 */
export function rerunAfterSync(work: () => void): void {
  const lastSeq = $derived(sync.status?.lastSeq ?? 0);
  $effect(() => {
    void lastSeq;
    work();
  });
}
