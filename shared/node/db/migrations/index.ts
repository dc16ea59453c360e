import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_ledger.js';
import * as m0003 from './0003_simulations.js';
import * as m0004 from './0004_sync.js';
import * as m0005 from './0005_server_identity.js';
import * as m0006 from './0006_digest_chain.js';
import * as m0007 from './0007_sealed_secrets.js';
import * as m0008 from './0008_audit_anchor.js';
import * as m0009 from './0009_counter.js';
import * as m0010 from './0010_reconcile.js';
import * as m0011 from './0011_reports.js';
import * as m0012 from './0012_reconcile_adjustments.js';
import * as m0013 from './0013_report_summaries.js';
import * as m0014 from './0014_calibration.js';
import * as m0015 from './0015_password_change_required.js';
import * as m0016 from './0016_day_closings.js';
import * as m0021 from './0021_token_keys.js';
import * as m0020 from './0020_deferred_indexes.js';
import * as m0017 from './0017_server_reconcile_journal.js';
import * as m0027 from './0027_sale_steering_events.js';
import * as m0031 from './0031_reconcile_day_log_command.js';
import * as m0038 from './0038_use_checkpoints.js';
import * as m0037 from './0037_adjustment_countersign_of.js';
import * as m0040 from './0040_snapshot_key_pin.js';
import * as m0041 from './0041_lots_one_buyer_index.js';
import * as m0043 from './0043_redacted_ranges.js';
import * as m0044 from './0044_pay_keys.js';
import * as m0045 from './0045_pay_keys_watermark.js';

/**
 * Listed statically: a bundled main process or worker cannot `import()` a
 * folder of migration files at run time. Names sort in order of application.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_ledger': m0002,
  '0003_simulations': m0003,
  '0004_sync': m0004,
  '0005_server_identity': m0005,
  '0006_digest_chain': m0006,
  '0007_sealed_secrets': m0007,
  '0008_audit_anchor': m0008,
  '0009_counter': m0009,
  '0010_reconcile': m0010,
  '0011_reports': m0011,
  '0012_reconcile_adjustments': m0012,
  '0013_report_summaries': m0013,
  '0014_calibration': m0014,
  '0015_password_change_required': m0015,
  '0016_day_closings': m0016,
  '0017_server_reconcile_journal': m0017,
  '0020_deferred_indexes': m0020,
  '0021_token_keys': m0021,
  '0027_sale_steering_events': m0027,
  '0031_reconcile_day_log_command': m0031,
  '0037_adjustment_countersign_of': m0037,
  '0038_use_checkpoints': m0038,
  '0040_snapshot_key_pin': m0040,
  '0041_lots_one_buyer_index': m0041,
  '0043_redacted_ranges': m0043,
  '0044_pay_keys': m0044,
  '0045_pay_keys_watermark': m0045,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};

export const LATEST_MIGRATION = Object.keys(MIGRATIONS).sort().at(-1)!;
