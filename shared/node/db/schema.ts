import type { Generated } from 'kysely';
import type { Role } from '../../common/roles.js';
import type { RoundStatus } from '../../rounds/lifecycle.js';

/** Instants are TEXT in UTC ISO-8601 (`2022-07-14T01:00:00.000Z`). */
type Instant = string;

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  /** `scrypt$N$r$p$salt$hash`, see auth/password.ts. */
  password_hash: string;
  role: Role;
  district_code: string | null;
  disabled: number;
  created_at: Instant;
  created_by: string | null;
}

export interface RoundsTable {
  id: string;
  status: RoundStatus;
  current_version: number;
  approved_version: number | null;
  created_at: Instant;
  created_by: string;
  updated_at: Instant;
}

/** Immutable: a version row is never updated except to record its approval. */
export interface RoundVersionsTable {
  round_id: string;
  version: number;
  /** RoundSpec as JSON. */
  spec: string;
  /** JSON array of the top-level fields changed from the previous version. */
  changed: string;
  author_id: string;
  created_at: Instant;
  approved_by: string | null;
  approved_at: Instant | null;
}

/** Append-only; each row's hash covers the previous row's hash. */
export interface AuditLogTable {
  seq: Generated<number>;
  at: Instant;
  actor_id: string | null;
  actor_name: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  /** JSON object. */
  details: string;
  prev_hash: string;
  hash: string;
}

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

export interface RoundSalesTable {
  round_id: string;
  sold_face: number;
  lot_count: number;
}

export interface SimulationRunsTable {
  id: string;
  round_id: string;
  round_version: number;
  /** Set on backing runs: the main run whose recommendation they support. */
  parent_id: string | null;
  backing_key: string | null;
  label: string;
  /** SimParams as JSON; with the seed inside, enough to reproduce the run. */
  params: string;
  seed: number;
  /** SimResult as JSON, without the params. */
  result: string;
  recommendations: string | null;
  created_by: string;
  created_at: Instant;
  elapsed_ms: number;
}

export interface RoundPublicationsTable {
  seq: number;
  event_id: string;
  round_id: string;
  version: number;
  published_by: string;
  payload: string;
  hash: string;
}

/** An event this console may not read (another district's, for a clerk's server account): only what keeps the chain. */
export interface RedactedEventsTable {
  seq: number;
  hash: string;
  /** SHA-256 hex of the event's canonical text, which the chain links. */
  digest: string;
}

/** A console user's own server identity: their commands go out with this token. Read and written only through sync/user-tokens.ts. */
export interface ServerTokensTable {
  user_id: string;
  token: string;
  /** JSON of the server's user (id, username, role, district). */
  server_user: string;
  obtained_at: string;
}

/** A server lifecycle event (scheduled, on sale, closed, settled), verbatim as chained. */
export interface RoundStatusesTable {
  seq: number;
  event_id: string;
  round_id: string;
  status: string;
  version: number;
  by: string;
  payload: string;
  hash: string;
}

export interface SyncRepairTable {
  id: number;
}

export interface SyncStateTable {
  id: number;
  server_url: string | null;
  username: string | null;
  token: string | null;
  /** JSON of the server's answer to sign-in: who this console acts as. */
  server_user: string | null;
  last_seq: number;
  last_hash: string;
  head_seq: number;
  last_attempt_at: string | null;
  last_success_at: string | null;
  /** JSON ErrorPayload of the last failure, cleared by the next success. */
  last_error: string | null;
  chain_status: 'unchecked' | 'ok' | 'mismatch';
  mismatch_seq: number | null;
}

export interface OutboxTable {
  command_id: string;
  type: string;
  /** The command as sent (JSON). */
  payload: string;
  round_id: string | null;
  lot_id: string | null;
  created_at: string;
  created_by: string;
  state: 'pending' | 'accepted' | 'rejected';
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  reason_key: string | null;
  reason_params: string | null;
  server_seq: number | null;
  resolved_at: string | null;
}

/** This console's id for audit anchoring: one row, made once. */
export interface ConsoleIdentityTable {
  id: number;
  console_id: string;
  created_at: string;
}

/** A report someone saved: its parameters as JSON (ReportParams), rerun on demand. */
export interface SavedReportsTable {
  id: string;
  name: string;
  params: string;
  created_by: string;
  created_by_name: string;
  created_at: Instant;
}

/** A fit of a round's simulated sale to its ledger (migration 0014); `result` is a CalibrationResult as JSON. */
export interface CalibrationsTable {
  id: string;
  round_id: string;
  result: string;
  created_by: string;
  created_at: Instant;
}

/** Simulation parameters saved under a name, e.g. from a calibration (migration 0014). */
export interface SimPresetsTable {
  id: string;
  name: string;
  params: string;
  source_round_id: string | null;
  calibration_id: string | null;
  created_by: string;
  created_at: Instant;
}

/** The ledger summed per round, Seoul day, district, payment method, lot face and event type; kept by triggers (migration 0011). */
export interface ReportFactsDayTable {
  round_id: string;
  /** Seoul `YYYY-MM-DD`. */
  day: string;
  district_code: string;
  payment_method: string;
  face: number;
  type: string;
  n: number;
  amount: number;
  paid: number;
  retired: number;
}

/** The same per Seoul hour, without the lot face. */
export interface ReportFactsHourTable {
  round_id: string;
  /** Seoul `YYYY-MM-DD HH`. */
  hour: string;
  district_code: string;
  payment_method: string;
  type: string;
  n: number;
  amount: number;
  paid: number;
  retired: number;
}

/** The same per Seoul hour and lot face, without district and payment method. */
export interface ReportFactsHourFaceTable {
  round_id: string;
  hour: string;
  face: number;
  payment_method: string;
  type: string;
  n: number;
  amount: number;
  paid: number;
  retired: number;
}

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
}

export interface Database {
  users: UsersTable;
  rounds: RoundsTable;
  round_versions: RoundVersionsTable;
  audit_log: AuditLogTable;
  ledger_events: LedgerEventsTable;
  lots: LotsTable;
  round_sales: RoundSalesTable;
  simulation_runs: SimulationRunsTable;
  round_publications: RoundPublicationsTable;
  redacted_events: RedactedEventsTable;
  sync_repair: SyncRepairTable;
  sync_state: SyncStateTable;
  outbox: OutboxTable;
  console_identity: ConsoleIdentityTable;
  server_tokens: ServerTokensTable;
  round_statuses: RoundStatusesTable;
  saved_reports: SavedReportsTable;
  report_facts_day: ReportFactsDayTable;
  report_facts_hour: ReportFactsHourTable;
  report_facts_hour_face: ReportFactsHourFaceTable;
  counter_requests: CounterRequestsTable;
  counter_settings: CounterSettingsTable;
  counter_closings: CounterClosingsTable;
  settlement_profiles: SettlementProfilesTable;
  settlement_imports: SettlementImportsTable;
  settlement_rows: SettlementRowsTable;
  reconcile_exceptions: ReconcileExceptionsTable;
  reconcile_days: ReconcileDaysTable;
  reconcile_day_log: ReconcileDayLogTable;
  reconcile_adjustments: ReconcileAdjustmentsTable;
  calibrations: CalibrationsTable;
  sim_presets: SimPresetsTable;
}

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
