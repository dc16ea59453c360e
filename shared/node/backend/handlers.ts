import { auditHandlers } from '../audit/audit-handlers.js';
import { authHandlers, setupHandlers } from '../auth/auth-handlers.js';
import { usersHandlers } from '../auth/users-handlers.js';
import { roundsHandlers } from '../rounds/rounds-handlers.js';
import { jobHandlers, simulationHandlers } from '../simulation/simulation-handlers.js';
import { ledgerHandlers } from '../ledger/ledger-handlers.js';
import { refundHandlers } from '../refunds/refund-handlers.js';
import { syncHandlers } from '../sync/sync-handlers.js';
import { compactionHandlers } from '../sync/compaction-handlers.js';
import { reportHandlers } from '../reports/report-handlers.js';
import { reconcileHandlers } from '../reconcile/reconcile-handlers.js';
import { calibrationHandlers } from '../calibration/calibration-handlers.js';
import { saleHandlers } from '../sale/sale-handlers.js';
import type { HandlerMap } from './deps.js';

/** Every procedure of the contract, bound once; the type fails to compile if one is missing. */
export const handlers: HandlerMap = {
  ...setupHandlers,
  ...authHandlers,
  ...usersHandlers,
  ...roundsHandlers,
  ...simulationHandlers,
  ...jobHandlers,
  ...syncHandlers,
  ...compactionHandlers,
  ...ledgerHandlers,
  ...refundHandlers,
  ...auditHandlers,
  ...reportHandlers,
  ...reconcileHandlers,
  ...calibrationHandlers,
  ...saleHandlers,
};
