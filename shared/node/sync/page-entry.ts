import type { SyncEvent } from '../../sync/protocol.js';
import type { UseCheckpoint } from '../../sync/use-checkpoint.js';
import { chainHash, linkHash } from '../chain/log-hash.js';

// What a page of the server's log holds and how the console's own copy of the log is read back for the chain: apart
// from the applier so the client that fetches pages does not import the applier that writes them.

/**
 * The whole local log in order: synced ledger events, round publications,
 * round status changes and the events held as digests only share one
 * sequence. A row has its text or, redacted, its digest.
 */
export const LOCAL_LOG = `select seq, payload, hash, null as digest, null as from_seq from ledger_events
  union all select seq, payload, hash, null, null from round_publications
  union all select seq, payload, hash, null, null from round_statuses
  union all select seq, payload, hash, null, null from day_closing_events
  union all select seq, payload, hash, null, null from server_reconcile_journal
  union all select seq, payload, hash, null, null from sale_steering_events
  union all select seq, payload, hash, null, null from use_folds
  union all select seq, null, hash, digest, null from redacted_events
  union all select seq, null, hash, null, from_seq from redacted_ranges order by seq`;

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
