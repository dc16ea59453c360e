import { storedUtc } from '../../common/time.js';
import type { LedgerEvent } from '../../ledger/events.js';

/**
 * The payment-reference columns of a ledger_events row (migration 0010):
 * provider, key, approval number, approval time (UTC), original key, and the
 * money that moved through the provider. All null for events without references.
 */
export function payColumns(ev: LedgerEvent): [string | null, string | null, string | null, string | null, string | null, number | null] {
  const p = ev.type === 'purchase' || ev.type === 'cancel' || ev.type === 'refund' ? ev.payment : undefined;
  if (!p) return [null, null, null, null, null, null];
  const amount = ev.type === 'purchase' ? ev.paid : ev.type === 'cancel' || ev.type === 'refund' ? ev.amount : null;
  return [p.provider, p.tid, p.approvalNo, storedUtc(p.approvedAt), p.originalTid ?? null, amount];
}

export const PAY_COLUMN_NAMES = 'pay_provider, pay_tid, pay_approval_no, pay_approved_at, pay_original_tid, pay_amount';
