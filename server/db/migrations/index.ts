import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_log.js';
import * as m0002 from './0002_rounds_identity.js';
import * as m0003 from './0003_digest_chain.js';
import * as m0005 from './0005_sign_in_throttle.js';
import * as m0006 from './0006_audit_anchors.js';
import * as m0007 from './0007_refund_approvals.js';
import * as m0008 from './0008_payment_refs.js';
import * as m0009 from './0009_reconcile_adjustments.js';
import * as m0011 from './0011_password_change_required.js';
import * as m0012 from './0012_day_closings.js';
import * as m0014 from './0014_buyer_directory.js';
import * as m0013 from './0013_settlement_files.js';
import * as m0020 from './0020_demo_marker.js';
import * as m0015 from './0015_short_tokens.js';
import * as m0016 from './0016_countersigns_each.js';
import * as m0021 from './0021_sale_steering.js';
import * as m0022 from './0022_receipt_numbers.js';
import * as m0027 from './0027_adjustment_countersigns_each.js';
import * as m0028 from './0028_use_checkpoints.js';

/** Listed statically, as the console's are. */
export const SERVER_MIGRATIONS: Record<string, Migration> = {
  '0001_log': m0001,
  '0002_rounds_identity': m0002,
  '0003_digest_chain': m0003,
  '0005_sign_in_throttle': m0005,
  '0006_audit_anchors': m0006,
  '0007_refund_approvals': m0007,
  '0008_payment_refs': m0008,
  '0009_reconcile_adjustments': m0009,
  '0011_password_change_required': m0011,
  '0012_day_closings': m0012,
  '0013_settlement_files': m0013,
  '0014_buyer_directory': m0014,
  '0015_short_tokens': m0015,
  '0016_countersigns_each': m0016,
  '0020_demo_marker': m0020,
  '0021_sale_steering': m0021,
  '0022_receipt_numbers': m0022,
  '0027_adjustment_countersigns_each': m0027,
  '0028_use_checkpoints': m0028,
};

export const serverMigrationProvider: MigrationProvider = { getMigrations: async () => SERVER_MIGRATIONS };
