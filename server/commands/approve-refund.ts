import { randomUUID } from 'node:crypto';
import type { LedgerEvent } from '../../shared/ledger/events.js';
import { makePaymentRef } from '../../shared/reconcile/payment-refs.js';
import { applyLedgerEvent, lockLot } from '../log/state.js';
import { heldCountersign, reject, type CommandHandler } from './command-kit.js';
import { countersignThreshold } from './countersign-threshold.js';
import { dayClosed } from './day-closing.js';
import { nextServerReceiptNo } from './receipt-number.js';
import { seoulDayKey } from '../../shared/common/time.js';

export const approveRefund: CommandHandler<'approve_refund'> = async (cmd, { trx, user, now }) => {
  const at = now.toISOString();
  if (user.role === 'analyst') return reject('sync.roleNotAllowed');
  const lot = await lockLot(trx, cmd.lotId);
  if (!lot || lot.roundId !== cmd.roundId) return reject('ledger.unknownLot', { lotId: cmd.lotId });
  // District clerks act on their own district's lots only, here as in the console.
  if (user.role === 'clerk' && lot.districtCode !== user.districtCode) return reject('sync.otherDistrict', { district: lot.districtCode });
  // The lot's district closed today's counter (the server's Seoul day, not the console's): nothing more is paid out until an official reopens it.
  const today = seoulDayKey(at);
  if (await dayClosed(trx, lot.districtCode, today)) return reject('refunds.dayClosed', { day: today });
  // Above the administrator's amount, a second person must already have approved this very request.
  const threshold = await countersignThreshold(trx);
  let countersignedBy: string | undefined;
  if (threshold !== null && cmd.amount > threshold) {
    const sign = await heldCountersign(trx, 'refund_countersigns', user, cmd.commandId, cmd.amount, (c) => c.lot_id === cmd.lotId && c.kind === cmd.kind);
    if (!sign) return reject('refunds.needsCountersign', { threshold });
    countersignedBy = sign.username;
  }
  // Quoted again at the server's time: the console's clock decides neither expiry nor the amount.
  const event: Extract<LedgerEvent, { type: 'cancel' | 'refund' }> = {
    type: cmd.kind,
    eventId: randomUUID(),
    roundId: cmd.roundId,
    lotId: cmd.lotId,
    at,
    amount: cmd.amount,
    by: user.username,
    ...(countersignedBy ? { countersignedBy } : {}),
  };
  // The money goes back through the purchase's provider: a reversal with its own key naming the original.
  const paid = await trx.selectFrom('lots').select(['payment_provider', 'payment_tid']).where('lot_id', '=', cmd.lotId).executeTakeFirst();
  if (paid?.payment_provider && paid.payment_tid) event.payment = makePaymentRef(paid.payment_provider, event.eventId, at, paid.payment_tid);
  const verdict = await applyLedgerEvent(trx, event, now);
  if (!verdict.ok) return reject(verdict.key, verdict.params);
  // Numbered only once accepted, dated by the server's Seoul day: the console's provisional number gives way to this one.
  event.receiptNo = await nextServerReceiptNo(trx, lot.districtCode, today);
  return { event };
};
