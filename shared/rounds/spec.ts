import canonicalize from 'canonicalize';
import { z } from 'zod';
import { isIsoInstant } from '../common/time.js';

export const ROUND_KINDS = ['city', 'district'] as const;
export type RoundKind = (typeof ROUND_KINDS)[number];

export const PAYMENT_METHODS = ['bank_transfer', 'debit_card', 'credit_card'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/**
 * How a partly used lot is refunded. The decree leaves the formula to the
 * ordinance, so it is a round parameter:
 * - remaining_minus_subsidy: remaining face − the lot's whole discount subsidy
 *   (Seoul: 100,000 bought for 95,000, 60,000 used → 40,000 − 5,000 = 35,000);
 * - remaining_at_paid_rate: remaining face × (1 − discount), i.e. the subsidy
 *   is clawed back only on the unused part.
 */
export const REFUND_FORMULAS = ['remaining_minus_subsidy', 'remaining_at_paid_rate'] as const;
export type RefundFormula = (typeof REFUND_FORMULAS)[number];

const isoInstant = z.string().refine(isIsoInstant, { message: 'expected an ISO-8601 instant with offset' });

/**
 * The shape of a round's configuration. Only types are checked here; the
 * domain rules (units, ranges, cross-field limits) live in validate.ts so
 * they can be reported field by field with a clear message.
 */
export const roundSpecSchema = z
  .object({
    name: z.string().max(500),
    kind: z.enum(ROUND_KINDS),
    districtCode: z.string().max(10).nullable(),
    totalAmount: z.int(),
    denominations: z.array(z.int()).max(20),
    discountBp: z.int(),
    perPersonMonthlyLimit: z.int(),
    holdingLimit: z.int(),
    giftReceiveCap: z.int(),
    validityYears: z.int(),
    refund: z
      .object({
        partialUseThresholdPct: z.int(),
        formula: z.enum(REFUND_FORMULAS),
        cashOnly: z.boolean(),
      })
      .strict(),
    paymentMethods: z.array(z.enum(PAYMENT_METHODS)).max(PAYMENT_METHODS.length),
    opensAt: isoInstant,
    closesAt: isoInstant,
    sessionTimeoutMinutes: z.int(),
    waitingRoom: z
      .object({
        admissionPerMinute: z.int(),
        maxActiveSessions: z.int(),
      })
      .strict(),
    expectedVisitors: z.int().nullable(),
  })
  .strict();

export type RoundSpec = z.infer<typeof roundSpecSchema>;

/** Fields an official may still change while a round is on sale (as Seoul did at 10:40 on 2022-07-14). */
export const OPERATIONAL_FIELDS = ['sessionTimeoutMinutes', 'waitingRoom', 'closesAt', 'expectedVisitors'] as const satisfies readonly (keyof RoundSpec)[];

export const ROUND_SPEC_FIELDS = Object.keys(roundSpecSchema.shape) as (keyof RoundSpec)[];

/** Top-level fields whose values differ between two specs (compared canonically: key order in nested settings does not count). */
export function changedFields(before: RoundSpec, after: RoundSpec): (keyof RoundSpec)[] {
  return ROUND_SPEC_FIELDS.filter((k) => canonicalize(before[k]) !== canonicalize(after[k]));
}
