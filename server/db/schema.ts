import type { Generated } from 'kysely';

/** The central server's tables. Money is bigint won in Postgres, read back as numbers (safe below 2^53). */
export interface ServerUsersTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  role: 'admin' | 'official' | 'clerk' | 'analyst';
  district_code: string | null;
  disabled: boolean;
  created_at: Generated<Date>;
  /** Set at sign-in when the password fails the policy (migration 0011): nothing but a change until then. */
  must_change_password: Generated<boolean>;
}

export interface ServerSessionsTable {
  token_hash: string;
  user_id: string;
  created_at: Date;
  expires_at: Date;
}

/** One row: the last sequence number and chain hash. Locked by every append, which serialises them. */
export interface LogHeadTable {
  id: number;
  seq: string;
  hash: string;
}

/** The record: append-only, gapless sequence, each row chained to the one before. */
export interface EventsTable {
  seq: string;
  event_id: string;
  type: string;
  round_id: string | null;
  lot_id: string | null;
  district_code: string | null;
  /** Canonical JSON, exactly what was hashed. */
  payload: string;
  hash: string;
  recorded_at: Date;
  recorded_by: string;
}

export interface PublishedRoundsTable {
  round_id: string;
  version: number;
  spec: string;
  seq: string;
}

export interface ServerLotsTable {
  lot_id: string;
  round_id: string;
  buyer_id: string;
  holder_id: string;
  scope: string;
  district_code: string;
  payment_method: string;
  face: string;
  paid: string;
  discount_bp: number;
  purchased_at: string;
  month: string;
  expires_at: string;
  used: string;
  refunded: string;
  status: 'active' | 'cancelled' | 'refunded';
  gifted: boolean;
  gift_month: string | null;
  /** Event version 2: the purchase's provider and transaction key; null before. */
  payment_provider: string | null;
  payment_tid: string | null;
}

export interface ServerRoundSalesTable {
  round_id: string;
  sold_face: string;
  lot_count: string;
}

/** A version written by one official, waiting for a second to approve it. Not on the record until then. */
export interface RoundProposalsTable {
  round_id: string;
  version: number;
  /** Canonical JSON of the spec. */
  spec: string;
  /** users.id of the author: the one person who may not approve it. */
  proposed_by: string;
  proposed_at: Date;
}

export type ServerRoundStatusColumn = 'approved' | 'scheduled' | 'on_sale' | 'closed' | 'settled';

/** A published round's lifecycle on the server: the status sales are judged by, and the version in effect. */
export interface ServerRoundsTable {
  round_id: string;
  status: ServerRoundStatusColumn;
  version: number;
  updated_at: Date;
}

/** Every command ever received, keyed by (user, id), so a replay gets the same answer and has no second effect. */
export interface CommandsTable {
  command_id: string;
  user_id: string;
  type: string;
  request: string;
  status: 'accepted' | 'rejected';
  reason_key: string | null;
  reason_params: string | null;
  seq: string | null;
  created_at: Date;
}

/** A console that has anchored its audit log, with its last accepted head. */
export interface AuditConsolesTable {
  console_id: string;
  first_seen_at: Date;
  first_user_id: string;
  last_seq: number | null;
  last_hash: string | null;
  last_at: Date | null;
}

/** The head of a console's audit chain as stated at one sync; append-only. */
export interface AuditAnchorsTable {
  console_id: string;
  seq: number;
  hash: string;
  received_at: Date;
  user_id: string;
}

/** An anchor the server refused, with what it already held. */
export interface AuditAnchorConflictsTable {
  id: Generated<number>;
  console_id: string;
  seq: number;
  hash: string;
  received_at: Date;
  user_id: string;
  reason: 'backwards' | 'hashDiffers';
  held_seq: number;
  held_hash: string;
  held_at: Date;
}

/** Sign-in attempts counted per key (see server/auth/sign-in-throttle.ts). */
export interface SignInAttemptsTable {
  key: string;
  count: number;
  locked_until: Date | null;
  last_at: Date;
}

export interface ServerDatabase {
  users: ServerUsersTable;
  sessions: ServerSessionsTable;
  log_head: LogHeadTable;
  events: EventsTable;
  published_rounds: PublishedRoundsTable;
  lots: ServerLotsTable;
  round_sales: ServerRoundSalesTable;
  commands: CommandsTable;
  audit_consoles: AuditConsolesTable;
  audit_anchors: AuditAnchorsTable;
  audit_anchor_conflicts: AuditAnchorConflictsTable;
  sign_in_attempts: SignInAttemptsTable;
  round_proposals: RoundProposalsTable;
  server_rounds: ServerRoundsTable;
  refund_settings: RefundSettingsTable;
  refund_countersigns: RefundCountersignsTable;
  reconcile_adjustments: ServerAdjustmentsTable;
  day_closings: DayClosingsTable;
  receipt_counters: ReceiptCountersTable;
  buyer_directory: BuyerDirectoryTable;
  directory_access_log: DirectoryAccessLogTable;
  settlement_files: SettlementFilesTable;
  settlement_exceptions: SettlementExceptionsTable;
  reconcile_settings: ReconcileSettingsTable;
  adjustment_countersigns: AdjustmentCountersignsTable;
  reconcile_day_locks: ReconcileDayLocksTable;
  use_folds: UseFoldsTable;
  use_checkpoints: UseCheckpointsTable;
  folded_events: FoldedEventsTable;
  demo_marker: DemoMarkerTable;
  sale_controls: SaleControlsTable;
  sale_change_proposals: SaleChangeProposalsTable;
}

/** A round's live-sale steering after its last change (migration 0021): `controls` is shared/rounds/steering.ts SaleControls as JSON. */
export interface SaleControlsTable {
  round_id: string;
  revision: number;
  controls: string;
  changed_by: string;
  changed_at: Date;
  seq: string;
}

/** A steering change waiting for a second official (migration 0021): `change` is a SaleChange as JSON. */
export interface SaleChangeProposalsTable {
  round_id: string;
  proposal_id: string;
  change: string;
  proposed_by: string;
  proposed_at: Date;
  decided_seq: string | null;
}

/** A district's Seoul day as the counter left it: closed or reopened, by whom, at which log sequence (migration 0012). */
export interface DayClosingsTable {
  district_code: string;
  /** `YYYY-MM-DD`, a Seoul day. */
  day: string;
  closed: boolean;
  changed_by: string;
  changed_at: Date;
  seq: string;
}

/** The last receipt number the server gave in a district on a Seoul day (migration 0022). */
export interface ReceiptCountersTable {
  district_code: string;
  /** `YYYY-MM-DD`, a Seoul day. */
  day: string;
  last_no: number;
}

/** One row: refunds above `countersign_above` need a second person (null: never). */
export interface RefundSettingsTable {
  id: number;
  countersign_above: string | null;
  updated_by: string | null;
  updated_at: Date | null;
}

/** A second person's approval of one refund request, held until the request arrives. Append-only. */
export interface RefundCountersignsTable {
  requested_by: string;
  request_command_id: string;
  lot_id: string;
  kind: 'cancel' | 'refund';
  amount: string;
  countersigned_by: string;
  countersigned_at: Date;
}

/** Won booked to close a reconciliation difference, decided by the server (migration 0009). Append-only. */
export interface ServerAdjustmentsTable {
  id: Generated<string>;
  command_id: string;
  booked_by: string;
  booked_at: Date;
  provider: string;
  day: string;
  exception: string;
  /** bigint: read back as a number by the pool's parser (amounts are far below 2^53). */
  amount: number;
  reason: string;
  text: string;
  /** The recorded file and exception it explains (migration 0013); null on bookings made before. */
  file_digest: string | null;
  exception_ref: string | null;
  countersigned_by: string | null;
}

/** A settlement file as a console recorded it (migration 0013). Append-only. */
export interface SettlementFilesTable {
  file_digest: string;
  provider: string;
  day: string;
  payout_day: string | null;
  /** Canonical JSON: [{ day, count, amount }] per approval day, compared as text when the file is sent again. */
  days: string;
  command_id: string;
  recorded_by: string;
  recorded_at: Date;
}

/** One exception a recorded file holds, with what it leaves unexplained. Append-only. */
export interface SettlementExceptionsTable {
  file_digest: string;
  ref: string;
  provider: string;
  day: string;
  class: string;
  difference: number;
}

/** One row: bookings above `countersign_above` won (either sign) need a second official (null: none do). */
export interface ReconcileSettingsTable {
  id: number;
  countersign_above: string | null;
  updated_by: string | null;
  updated_at: Date | null;
}

/** A second official's approval of one booking, held until the booking arrives. Append-only. */
export interface AdjustmentCountersignsTable {
  requested_by: string;
  request_command_id: string;
  file_digest: string;
  exception_ref: string;
  amount: number;
  countersigned_by: string;
  countersigned_at: Date;
}

/** A day's lock as it stands; the log's lock and reopen events are its history. */
export interface ReconcileDayLocksTable {
  day: string;
  provider: string;
  locked_by: string | null;
  locked_at: Date | null;
}

/** One buyer's identity as presented when buying (migration 0014): hashes to search by, sealed copies to read. */
export interface BuyerDirectoryTable {
  buyer_id: string;
  district_code: string;
  /** HMAC-SHA-256 (hex) of the mobile number's digits. */
  phone_hash: string;
  /** HMAC-SHA-256 (hex) of the name and birth date together. */
  name_birth_hash: string;
  /** AES-256-GCM copies (server/directory/protect.ts). */
  phone_sealed: string;
  name_sealed: string;
  birth_sealed: string;
  recorded_at: Date;
}

/** Who looked up whose personal data, when, from where, how and why (migration 0014). Append-only. */
export interface DirectoryAccessLogTable {
  id: Generated<number>;
  at: Date;
  user_id: string;
  username: string;
  role: string;
  district_code: string | null;
  address: string;
  action: 'search_phone' | 'search_name_birth';
  reason: string;
  buyer_ids: string[];
}

/** Present (one row) when the record is the demo data set: see migration 0020. */
export interface DemoMarkerTable {
  id: number;
  scale: string;
  seed: number;
  created_at: Date;
  manifest: string;
}

/** An administrator's fold of settled uses (migration 0028). */
export interface UseFoldsTable {
  id: string;
  by: string;
  at: Date;
  through_day: string;
  older_than_days: number;
  checkpoints: number;
  events: number;
  seq: string;
}

/** One lot's folded uses as served to consoles (migration 0028; shared/sync/use-checkpoint.ts). */
export interface UseCheckpointsTable {
  id: string;
  fold_id: string;
  lot_id: string;
  district_code: string;
  first_seq: string;
  last_seq: string;
  payload: string;
}

/** A use a fold put into a checkpoint (migration 0028); the event itself is never changed. */
export interface FoldedEventsTable {
  seq: string;
  checkpoint_id: string;
}
