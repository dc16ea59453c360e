import type { Generated } from 'kysely';
import type { Instant } from './instant.js';

export interface LedgerEventsTable {
  seq: Generated<number>;
  event_id: string;
  type: 'purchase' | 'use' | 'gift' | 'cancel' | 'refund';
  round_id: string;
  lot_id: string;
  district_code: string;
  amount: number;
  payment_method: string;
  occurred_at: Instant;
  /** The event as JSON, exactly as received (and, when synced, as hashed). */
  payload: string;
  /** The server's chain hash at this sequence; null for events recorded before sync. */
  hash: string | null;
  /** Payment references of event version 2 (migration 0010), null on uses, gifts and older events. */
  pay_provider: string | null;
  pay_tid: string | null;
  pay_approval_no: string | null;
  pay_approved_at: Instant | null;
  pay_original_tid: string | null;
  /** Money that moved through the provider: paid for a purchase, the amount returned for a cancellation or refund. */
  pay_amount: number | null;
}

/** Derived from ledger_events; rebuilt by folding them. */
export interface LotsTable {
  lot_id: string;
  round_id: string;
  buyer_id: string;
  holder_id: string;
  /** `city` or `district:<code>`: the pool personal limits count against. */
  scope: string;
  district_code: string;
  payment_method: string;
  face: number;
  paid: number;
  discount_bp: number;
  purchased_at: Instant;
  /** Seoul `YYYY-MM` of the purchase. */
  month: string;
  expires_at: Instant;
  used: number;
  refunded: number;
  status: 'active' | 'cancelled' | 'refunded';
  gifted: number;
  /** Seoul `YYYY-MM` of the gift, for the recipient's monthly cap. */
  gift_month: string | null;
}

/** An event this console may not read (another district's, for a clerk's server account): only what keeps the chain. */
export interface RedactedEventsTable {
  seq: number;
  hash: string;
  /** SHA-256 hex of the event's canonical text, which the chain links. */
  digest: string;
}

/** A run of consecutive events held as one link (migration 0043): from `from_seq` to `seq`, and the chain hash at `seq`. */
export interface RedactedRangesTable {
  seq: number;
  from_seq: number;
  hash: string;
}

/** Where each payment reference of ledger_events is found (migration 0044): its key (db/pay-keys.ts) and the event's sequence. */
export interface PayKeysTable {
  key: number;
  seq: number;
}

/** The last sequence up to which every payment key is in pay_keys (migration 0045); one row. */
export interface PayKeysStateTable {
  id: number;
  last_seq: number;
}
