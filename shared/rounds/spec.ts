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

/** Queue orders and session policies a sale can run with (the simulator models each). */
export const QUEUE_ORDERS = ['fifo', 'shuffle_preopen', 'birth_year'] as const;
export const SESSION_POLICIES = ['expires_while_waiting', 'room_keeps_place'] as const;
export const ARRIVAL_CURVES = ['spike', 'decay', 'custom'] as const;
export const PATIENCE_KINDS = ['exponential', 'fixed', 'none'] as const;
export const CHECKOUT_DISTRIBUTIONS = ['exponential', 'lognormal', 'fixed'] as const;

const share = z.number().min(0).max(1);
const minutesValue = z.number().min(0).max(7 * 24 * 60);

/**
 * What the round's rehearsal assumes about the day (not settings of the sale
 * itself): how people arrive, what the servers hold and how people behave.
 * Kept with the round version so a re-run starts from the same assumptions.
 * Optional so specs stored and published before it existed still parse.
 */
/**
 * The payment system behind checkout (issue 20 item 3), named as the live
 * sale's payment stand-in names its settings so a rehearsal maps one to one.
 * Transactions are served by TPS × latency parallel slots, each taking an
 * exponentially distributed time of mean `paymentLatencyMs` (at full load it
 * passes exactly `paymentCapacityTps` a second); beyond that they queue, and
 * one queued longer than `paymentTimeoutMs` fails (and is retried like any
 * failed payment). All optional: absent, the payment is instant and
 * unlimited, as every round saved before had it, so old results stand.
 */
export const paymentSystemShape = {
  /** Transactions a second the payment system completes at most; null or absent: unlimited. */
  paymentCapacityTps: z.number().positive().max(1_000_000).nullable().optional(),
  /** Mean time one transaction takes once served, in milliseconds; absent: 0. */
  paymentLatencyMs: z.number().min(0).max(60_000).optional(),
  /** A transaction queued this long fails; null or absent: it waits as long as it takes. */
  paymentTimeoutMs: z.number().positive().max(600_000).nullable().optional(),
};

export const rehearsalSchema = z
  .object({
    seed: z.int().min(0).max(0xffff_ffff),
    arrival: z
      .object({
        curve: z.enum(ARRIVAL_CURVES),
        spikeMinutes: z.number().positive().max(24 * 60),
        decayMinutes: z.number().positive().max(24 * 60),
        perMinute: z.array(z.number().min(0)).max(24 * 60),
        preOpenShare: share,
        preOpenMinutes: minutesValue,
      })
      .strict(),
    /** Concurrent logged-in people the servers hold (server capacity); null: unlimited. */
    maxConnections: z.int().min(1).nullable(),
    /** Minutes signing in, connected but not yet waiting (SimParams capacity.loginMinutes); absent: instant. */
    loginMinutes: z.number().min(0).max(60).optional(),
    fullLimitShare: share,
    sessionPolicy: z.enum(SESSION_POLICIES),
    patience: z.object({ kind: z.enum(PATIENCE_KINDS), meanMinutes: z.number().positive() }).strict(),
    returns: z.object({ probability: share, delayMinutes: minutesValue }).strict(),
    checkout: z
      .object({
        meanSeconds: z.number().positive().max(3_600),
        distribution: z.enum(CHECKOUT_DISTRIBUTIONS),
        failureRate: z.number().min(0).max(0.99),
        maxRetries: z.int().min(0).max(10),
        ...paymentSystemShape,
      })
      .strict(),
  })
  .strict();
export type RehearsalAssumptions = z.infer<typeof rehearsalSchema>;

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
        // Optional: rounds stored before these were settings ran FIFO without the notice.
        order: z.enum(QUEUE_ORDERS).optional(),
        /** birth_year order: each slot's share of people and when it opens (minutes after opening). */
        slots: z.array(z.object({ share, startMinute: minutesValue }).strict()).max(12).optional(),
        /** Stock-aware notice: tell people beyond the remaining stock early that they will not get any. */
        stockCutoff: z.boolean().optional(),
        cutoffMargin: z.number().min(0).max(5).optional(),
      })
      .strict(),
    expectedVisitors: z.int().nullable(),
    rehearsal: rehearsalSchema.optional(),
  })
  .strict();

export type RoundSpec = z.infer<typeof roundSpecSchema>;

/** Fields an official may still change while a round is on sale (as Seoul did at 10:40 on 2022-07-14). */
// The rehearsal's assumptions move no money, so they may be refined while on sale.
export const OPERATIONAL_FIELDS = ['sessionTimeoutMinutes', 'waitingRoom', 'closesAt', 'expectedVisitors', 'rehearsal'] as const satisfies readonly (keyof RoundSpec)[];

export const ROUND_SPEC_FIELDS = Object.keys(roundSpecSchema.shape) as (keyof RoundSpec)[];

/** Top-level fields whose values differ between two specs (compared canonically: key order in nested settings does not count). */
export function changedFields(before: RoundSpec, after: RoundSpec): (keyof RoundSpec)[] {
  return ROUND_SPEC_FIELDS.filter((k) => canonicalize(before[k]) !== canonicalize(after[k]));
}
