import type { UsersTable } from './tables/users.js';
import type { RoundsTable, RoundVersionsTable, RoundSalesTable, RoundPublicationsTable, RoundStatusesTable } from './tables/rounds.js';
import type { AuditLogTable, ConsoleIdentityTable } from './tables/audit.js';
import type { LedgerEventsTable, LotsTable, PayKeysStateTable, PayKeysTable, RedactedEventsTable, RedactedRangesTable } from './tables/ledger.js';
import type { ConnectionWrapsTable, ServerTokensTable, SyncRepairTable, SyncStateTable, OutboxTable, DeferredIndexesTable } from './tables/sync.js';
import type { SimulationRunsTable, CalibrationsTable, SimPresetsTable } from './tables/simulation.js';
import type { SavedReportsTable, ReportFactsDayTable, ReportFactsHourTable, ReportFactsHourFaceTable } from './tables/reports.js';
import type { SaleSteeringEventsTable } from './tables/sale.js';
import type { UseFoldsTable, UseCheckpointsTable, CheckpointUsesTable } from './tables/compaction.js';
import type { SettlementProfilesTable, SettlementImportsTable, SettlementRowsTable, ReconcileExceptionsTable, ReconcileAdjustmentsTable, ReconcileDaysTable, ReconcileDayLogTable, ServerReconcileJournalTable } from './tables/reconcile.js';
import type { CounterRequestsTable, CounterSettingsTable, CounterClosingsTable, DayClosingEventsTable } from './tables/counter.js';

export type * from './tables/users.js';
export type * from './tables/rounds.js';
export type * from './tables/audit.js';
export type * from './tables/ledger.js';
export type * from './tables/sync.js';
export type * from './tables/simulation.js';
export type * from './tables/reports.js';
export type * from './tables/reconcile.js';
export type * from './tables/counter.js';
export type * from './tables/compaction.js';

/**
 * The ledger database's tables, one type per table (Kysely), kept in files by
 * area under tables/ and combined here in the `Database` interface.
 */
export interface Database {
  users: UsersTable;
  rounds: RoundsTable;
  round_versions: RoundVersionsTable;
  audit_log: AuditLogTable;
  ledger_events: LedgerEventsTable;
  pay_keys: PayKeysTable;
  pay_keys_state: PayKeysStateTable;
  lots: LotsTable;
  round_sales: RoundSalesTable;
  simulation_runs: SimulationRunsTable;
  round_publications: RoundPublicationsTable;
  redacted_events: RedactedEventsTable;
  redacted_ranges: RedactedRangesTable;
  sync_repair: SyncRepairTable;
  sync_state: SyncStateTable;
  outbox: OutboxTable;
  console_identity: ConsoleIdentityTable;
  server_tokens: ServerTokensTable;
  connection_wraps: ConnectionWrapsTable;
  round_statuses: RoundStatusesTable;
  saved_reports: SavedReportsTable;
  report_facts_day: ReportFactsDayTable;
  report_facts_hour: ReportFactsHourTable;
  report_facts_hour_face: ReportFactsHourFaceTable;
  counter_requests: CounterRequestsTable;
  counter_settings: CounterSettingsTable;
  counter_closings: CounterClosingsTable;
  day_closing_events: DayClosingEventsTable;
  settlement_profiles: SettlementProfilesTable;
  settlement_imports: SettlementImportsTable;
  settlement_rows: SettlementRowsTable;
  reconcile_exceptions: ReconcileExceptionsTable;
  reconcile_days: ReconcileDaysTable;
  reconcile_day_log: ReconcileDayLogTable;
  server_reconcile_journal: ServerReconcileJournalTable;
  sale_steering_events: SaleSteeringEventsTable;
  reconcile_adjustments: ReconcileAdjustmentsTable;
  calibrations: CalibrationsTable;
  sim_presets: SimPresetsTable;
  deferred_indexes: DeferredIndexesTable;
  use_folds: UseFoldsTable;
  use_checkpoints: UseCheckpointsTable;
  checkpoint_uses: CheckpointUsesTable;
}
