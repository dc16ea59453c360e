import { z } from 'zod';
import { PAYMENT_METHODS } from '../rounds/spec.js';

const id = z.string().min(1).max(64);
// A discriminated union of plain schemas (no refinements) checks a sync page at about a microsecond an event.
const instant = z.iso.datetime({ offset: true });
const won = z.int().min(0);

/**
 * Event version 2: the payment provider's references, so a sale can be matched
 * to the provider's settlement file. Optional: events recorded before version 2
 * carry none and stay valid. `tid` is the provider's transaction key (TID /
 * paymentKey); a cancellation or refund has its own and names the purchase's
 * as `originalTid`.
 */
export const paymentRefSchema = z
  .object({
    provider: z.string().regex(/^[a-z0-9_-]{1,32}$/),
    tid: z.string().min(1).max(64),
    approvalNo: z.string().min(1).max(20),
    /** The provider's approval time (UTC instant); the record's `at` stays the server's time. */
    approvedAt: instant,
    originalTid: z.string().min(1).max(64).optional(),
  })
  .strict();
export type PaymentRef = z.infer<typeof paymentRefSchema>;

/**
 * The receipt number the server gave a cancellation or refund when it accepted it:
 * `{district}-{the server's Seoul day}-{running number}` (absent on events recorded
 * before the server numbered receipts). The console prints it in place of its own
 * provisional number (가번호), so no console clock dates a receipt.
 */
export const SERVER_RECEIPT_NO = /^[0-9]{5}-[0-9]{8}-[0-9]{6}$/;
const serverReceiptNoSchema = z.string().regex(SERVER_RECEIPT_NO);

const base = {
  /** Made by whoever created the event; the same id twice is the same event. */
  eventId: id,
  roundId: id,
  lotId: id,
  at: instant,
};

/**
 * Everything that happens to certificates, one immutable event each. A lot is
 * one purchase; balances are derived by folding its events.
 */
export const ledgerEventSchema = z.discriminatedUnion('type', [
  z
    .object({
      ...base,
      type: z.literal('purchase'),
      buyerId: id,
      /** The buyer's district of residence; a clerk of that district handles the lot. */
      districtCode: z.string().max(10),
      face: won,
      paid: won,
      paymentMethod: z.enum(PAYMENT_METHODS),
      payment: paymentRefSchema.optional(),
    })
    .strict(),
  z.object({ ...base, type: z.literal('use'), amount: won, merchantDistrict: z.string().max(10).nullable() }).strict(),
  z.object({ ...base, type: z.literal('gift'), toBuyerId: id }).strict(),
  /**
   * Full cancellation of an unused lot: `amount` (what was paid) goes back. `by` is the server user whose
   * command it was (absent on events recorded before protocol 2); `at` is the server's time.
   */
  z.object({ ...base, type: z.literal('cancel'), amount: won, by: z.string().max(64).optional(), countersignedBy: z.string().max(64).optional(), payment: paymentRefSchema.optional(), receiptNo: serverReceiptNoSchema.optional() }).strict(),
  /** Refund of a partly used lot's remainder under the round's rule. `countersignedBy`: the second person, above the two-person amount. */
  z.object({ ...base, type: z.literal('refund'), amount: won, by: z.string().max(64).optional(), countersignedBy: z.string().max(64).optional(), payment: paymentRefSchema.optional(), receiptNo: serverReceiptNoSchema.optional() }).strict(),
]);

export type LedgerEvent = z.infer<typeof ledgerEventSchema>;
export type LedgerEventType = LedgerEvent['type'];
export type PurchaseEvent = Extract<LedgerEvent, { type: 'purchase' }>;
