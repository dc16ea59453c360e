import type { Generated } from 'kysely';
import type { Instant } from './instant.js';

/** What a clerk confirmed at the counter; server answers are on the outbox row of the same command id. */
export interface CounterRequestsTable {
  command_id: string;
  receipt_no: string;
  lot_id: string;
  round_id: string;
  district_code: string;
  buyer_id: string;
  kind: 'cancel' | 'refund';
  amount: number;
  /** RefundWorking as JSON, as quoted when confirmed. */
  working: string;
  reason_code: string;
  reason_text: string;
  account_sealed: string | null;
  account_masked: string | null;
  clerk_id: string;
  created_at: Instant;
  state: 'awaiting_second' | 'queued' | 'withdrawn';
  countersigned_by: string | null;
  countersigned_at: Instant | null;
  withdrawn_by: string | null;
  withdrawn_at: Instant | null;
}

export interface CounterSettingsTable {
  id: number;
  countersign_above: number | null;
  updated_by: string | null;
  updated_at: Instant | null;
}

export interface CounterClosingsTable {
  id: Generated<number>;
  district_code: string;
  /** Seoul day, YYYY-MM-DD. */
  day: string;
  closed_by: string;
  closed_at: Instant;
  /** The closing figures as JSON, as they stood when closed. */
  figures: string;
  reopened_by: string | null;
  reopened_at: Instant | null;
  reopen_reason: string | null;
}

/** The server's `day_closing` events as pulled (migration 0016); the latest per district and day is the server's word. */
export interface DayClosingEventsTable {
  seq: number;
  event_id: string;
  district_code: string;
  /** Seoul day, YYYY-MM-DD. */
  day: string;
  closed: 0 | 1;
  /** The server username who closed or reopened it. */
  by: string;
  at: Instant;
  reason: string | null;
  payload: string;
  hash: string;
}
