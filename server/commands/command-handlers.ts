import { approveRefund } from './approve-refund.js';
import { approveSaleChange } from './approve-sale-change.js';
import { bookAdjustment } from './book-adjustment.js';
import type { CommandContext, CommandHandler, CommandHandlers, CommandOf, CommandType, Outcome } from './command-kit.js';
import { countersignAdjustment } from './countersign-adjustment.js';
import { countersignRefund } from './countersign-refund.js';
import { closeDay, reopenDay } from './day-closing.js';
import { proposeRound } from './propose-round.js';
import { publishRound } from './publish-round.js';
import { lockReconcileDay, reopenReconcileDay } from './reconcile-day.js';
import { recordSettlement } from './record-settlement.js';
import { roundTransition } from './round-transition.js';
import { setAdjustmentThreshold } from './set-adjustment-threshold.js';
import { setRefundThreshold } from './set-refund-threshold.js';
import { steerSale } from './steer-sale.js';

/** Every command the protocol names has its handler here: a new command type does not compile until it has one. */
export const commandHandlers: CommandHandlers = {
  propose_round: proposeRound,
  publish_round: publishRound,
  round_transition: roundTransition,
  approve_refund: approveRefund,
  countersign_refund: countersignRefund,
  book_adjustment: bookAdjustment,
  set_refund_threshold: setRefundThreshold,
  close_day: closeDay,
  reopen_day: reopenDay,
  record_settlement: recordSettlement,
  countersign_adjustment: countersignAdjustment,
  set_adjustment_threshold: setAdjustmentThreshold,
  lock_reconcile_day: lockReconcileDay,
  reopen_reconcile_day: reopenReconcileDay,
  steer_sale: steerSale,
  approve_sale_change: approveSaleChange,
};

/** Hands a command to its type's handler. */
export function decide<T extends CommandType>(cmd: CommandOf<T>, ctx: CommandContext): Promise<Outcome> {
  // The map's key and the command's type agree by construction; TypeScript cannot follow the correlation through the index.
  const handler = commandHandlers[cmd.type as T] as CommandHandler<T>;
  return handler(cmd, ctx);
}
