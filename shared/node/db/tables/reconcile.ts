import type { Generated } from 'kysely';
import type { Instant } from './instant.js';

export interface SettlementProfilesTable {
  id: string;
  provider: string;
  /** SettlementProfile as JSON. */
  spec: string;
  updated_at: Instant;
  updated_by: string | null;
}

export interface SettlementImportsTable {
  id: string;
  sha256: string;
  profile_id: string;
  provider: string;
  file_name: string;
  encoding: string;
  day: string;
  row_count: number;
  imported_by: string;
  imported_at: Instant;
}

export interface SettlementRowsTable {
  import_id: string;
  line: number;
  type: 'approval' | 'cancel';
  tid: string;
  original_tid: string | null;
  approval_no: string | null;
  approved_at: Instant;
  amount: number;
  fee: number;
  vat: number;
  net: number;
  payout_day: string;
}

export interface ReconcileExceptionsTable {
  id: Generated<number>;
  import_id: string;
  provider: string;
  day: string;
  class: 'amount_mismatch' | 'only_in_file' | 'only_in_ledger' | 'duplicate' | 'cancel_without_original' | 'other_day';
  line: number | null;
  tid: string | null;
  event_id: string | null;
  district_code: string | null;
  file_amount: number | null;
  ledger_amount: number | null;
  explained_by: string | null;
  assignee: string | null;
  note: string | null;
  resolution: string | null;
  resolution_text: string | null;
  adjustment: number | null;
  resolved_by: string | null;
  resolved_at: Instant | null;
}

/** Append-only (migration 0012): won booked to close a reconciliation difference. */
export interface ReconcileAdjustmentsTable {
  id: Generated<number>;
  exception_id: number;
  day: string;
  provider: string;
  amount: number;
  reason: string;
  text: string;
  by: string;
  by_name: string;
  at: Instant;
  /** The `book_adjustment` command sent to the server; null for bookings carried in by migration 0012. */
  command_id: string | null;
  /** The refused booking (its command id) this one completes after a second official's countersign (0037). */
  countersign_of: string | null;
  /** Username of that second official (0037). */
  countersigned_by: string | null;
}

export interface ReconcileDaysTable {
  day: string;
  provider: string;
  locked_by: string | null;
  locked_at: Instant | null;
}

export interface ReconcileDayLogTable {
  id: Generated<number>;
  day: string;
  provider: string;
  action: 'lock' | 'reopen';
  by: string;
  reason: string | null;
  at: Instant;
  /** The `lock_reconcile_day` / `reopen_reconcile_day` command this asked of the server (0031); null when none was sent. */
  command_id: string | null;
}

/** The server's reconciliation events as synced (migration 0017): the journal every console shares. Append-only. */
export interface ServerReconcileJournalTable {
  seq: number;
  event_id: string;
  type: 'adjustment_booked' | 'reconcile_day_locked' | 'reconcile_day_reopened';
  day: string;
  provider: string;
  amount: number | null;
  by: string;
  at: string;
  payload: string;
  hash: string;
}
