import type { SyncEvent } from '../../sync/protocol.js';
import type { UseCheckpoint } from '../../sync/use-checkpoint.js';
import { chainHash, linkHash } from '../chain/log-hash.js';

// What a page of the server's log holds and how the console's own copy of the log is read back for the chain: apart
// from the applier so the client that fetches pages does not import the applier that writes them.

/** The tables holding events of the log in full, one row an event at its sequence number. */
const FULL_LOG_TABLES = ['ledger_events', 'round_publications', 'round_statuses', 'day_closing_events', 'server_reconcile_journal', 'sale_steering_events', 'use_folds'] as const;

/**
 * Every table of the console's copy of the log, which share one sequence: the events in full, those held as a
 * digest only (redacted_events), and runs of those held as one link at the run's last sequence (redacted_ranges).
 * One list for reading the log back, finding the hash at a sequence and cutting it back.
 */
export const LOG_TABLES = [...FULL_LOG_TABLES, 'redacted_events', 'redacted_ranges'] as const;

/** The whole local log in order: a row has its text, or (redacted) its digest, or (a run) the run's first sequence. */
export const LOCAL_LOG = [
  ...FULL_LOG_TABLES.map((t) => `select seq, payload, hash, null as digest, null as from_seq from ${t}`),
  'select seq, null, hash, digest, null from redacted_events',
  'select seq, null, hash, null, from_seq from redacted_ranges',
].join(' union all ') + ' order by seq';

/** One event of a page as received: the exact text that was hashed, and what it says. */
export interface FullEntry {
  seq: number;
  hash: string;
  text: string;
  event: SyncEvent;
  digest?: undefined;
  /** Use checkpoints whose last folded event this is (a page asked with fold=1; shared/sync/use-checkpoint.ts). */
  checkpoints?: UseCheckpoint[];
}

/** An event the server would not show this account (another district's): only its digest, which the chain links. */
export interface RedactedEntry {
  seq: number;
  hash: string;
  digest: string;
  text?: undefined;
  event?: undefined;
  checkpoints?: UseCheckpoint[];
}

export type PageEntry = FullEntry | RedactedEntry;

/** The hash an entry must carry to follow `prev`: from its text, or from its digest when redacted. */
export function expectedHash(prev: string, seq: number, text: string | null, digest: string | null): string {
  return text !== null ? chainHash(prev, seq, text) : linkHash(prev, seq, digest ?? '');
}

export interface ChainPoint {
  seq: number;
  hash: string;
}
