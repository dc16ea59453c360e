import { z } from 'zod';
import { idSchema } from './schemas.js';
import { directoryMatchSchema, directorySearchSchema } from '../sync/directory.js';

/** Why a clerk returns a lot: a short list the closing sheet counts by, plus free text. */
export const REFUND_REASONS = ['buyer_request', 'moved_away', 'duplicate_purchase', 'deceased', 'other'] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

const day = z.string().max(10);
const params = z.record(z.string(), z.union([z.string(), z.number()]));

/**
 * The counter's search. Formats are checked by the handler, not here, so a
 * malformed value gets a Korean message naming the field rather than zod's.
 */
export const counterSearchSchema = z
  .object({
    buyerId: z.string().max(64).optional(),
    lotPart: z.string().max(64).optional(),
    receiptNo: z.string().max(40).optional(),
    fromDay: day.optional(),
    toDay: day.optional(),
  })
  .strict();

export const counterLotSchema = z.object({
  lotId: z.string(),
  roundId: z.string(),
  roundName: z.string(),
  buyerId: z.string(),
  districtCode: z.string(),
  face: z.number(),
  paid: z.number(),
  used: z.number(),
  usedBp: z.number(),
  remaining: z.number(),
  refunded: z.number(),
  paymentMethod: z.string(),
  status: z.enum(['active', 'cancelled', 'refunded']),
  purchasedAt: z.string(),
  expiresAt: z.string(),
});
export type CounterLot = z.infer<typeof counterLotSchema>;

/** Finding a citizen at the counter through the server's buyer directory; the reason goes into the server's access log. */
export const findBuyerInputSchema = directorySearchSchema;
/** Each buyer found, masked, with their lots in this console's ledger (empty when the ledger has not caught up). */
export const foundBuyerSchema = directoryMatchSchema.extend({ lots: z.array(counterLotSchema) });
export type FoundBuyer = z.infer<typeof foundBuyerSchema>;

export const workingSchema = z.object({
  face: z.number(),
  paid: z.number(),
  used: z.number(),
  usedBp: z.number(),
  remaining: z.number(),
  thresholdPct: z.number(),
  formula: z.string(),
  cashOnly: z.boolean(),
  paymentMethod: z.string(),
  discountBp: z.number(),
  subsidyDeducted: z.number(),
  refundedBefore: z.number(),
  expiresAt: z.string(),
  outcome: z.union([
    z.object({ ok: z.literal(true), kind: z.enum(['cancel', 'refund']), amount: z.number() }),
    z.object({ ok: z.literal(false), key: z.string(), params: params.optional() }),
  ]),
});
export type WorkingView = z.infer<typeof workingSchema>;

/** A request as the queue shows it; `status` joins the counter's own state with the outbox and the ledger. */
export const REQUEST_STATUSES = ['awaiting_second', 'pending', 'sent', 'accepted', 'rejected', 'withdrawn'] as const;
export const counterRequestSchema = z.object({
  commandId: z.string(),
  /** The server's receipt number once it accepted the request (dated by its Seoul day); until then the counter's provisional one. */
  receiptNo: z.string(),
  /** True while `receiptNo` is the counter's provisional number (가번호), to be replaced by the server's. */
  receiptProvisional: z.boolean(),
  /** The provisional number the counter gave when the request was taken, as on the first slip. */
  provisionalNo: z.string(),
  lotId: z.string(),
  roundId: z.string(),
  buyerId: z.string(),
  districtCode: z.string(),
  kind: z.enum(['cancel', 'refund']),
  amount: z.number(),
  working: workingSchema,
  reasonCode: z.string(),
  reasonText: z.string(),
  accountMasked: z.string().nullable(),
  clerkId: z.string(),
  clerkName: z.string(),
  createdAt: z.string(),
  status: z.enum(REQUEST_STATUSES),
  serverReason: z.object({ key: z.string(), params: params.optional() }).nullable(),
  countersignedByName: z.string().nullable(),
  resolvedAt: z.string().nullable(),
});
export type CounterRequestView = z.infer<typeof counterRequestSchema>;

export const counterQuoteSchema = z.object({
  lot: counterLotSchema,
  working: workingSchema,
  /** Refunds above this need a second person (null: none do). */
  countersignAbove: z.number().nullable(),
  /** The open request on this lot, if any (waiting for a second person or for the server). */
  openRequest: counterRequestSchema.nullable(),
});

export const counterRequestInputSchema = z
  .object({
    lotId: idSchema,
    reasonCode: z.string().max(40),
    reasonText: z.string().max(300).default(''),
    /** The payout account for a partial refund (a cancellation goes back to the original payment). */
    /** bank: a code of shared/common/banks.ts (or its Korean name); numberConfirm: the number typed a second time. */
    account: z.object({ bank: z.string().max(40), number: z.string().max(40), numberConfirm: z.string().max(40).optional() }).strict().optional(),
  })
  .strict();

export const receiptInputSchema = z
  .object({
    commandId: idSchema,
    width: z.enum(['a4', 'roll80']),
    /** The request as taken, or the server's answer (accepted or rejected). */
    copy: z.enum(['request', 'answer']).default('request'),
  })
  .strict();

export const queueInputSchema = z
  .object({
    day: day.optional(),
    clerkId: z.string().max(64).optional(),
    /**
     * `open`: what still needs the counter — every request not yet finished (waiting for a second person, not yet
     * sent, sent but not yet in the ledger), whatever its day, and today's; `range`: filed from `from` to `to`
     * (Seoul days, both included). Without a view, `day` alone as before.
     */
    view: z.enum(['open', 'range']).optional(),
    from: day.optional(),
    to: day.optional(),
  })
  .strict();

/** What the queue shows, said above it: the view and its Seoul days. */
export const queueShownSchema = z.object({ view: z.enum(['open', 'range', 'day', 'all']), from: z.string().nullable(), to: z.string().nullable(), today: z.string() });

const tally = z.object({ cancelCount: z.number(), cancelSum: z.number(), refundCount: z.number(), refundSum: z.number() });
export type Tally = z.infer<typeof tally>;

/**
 * A district's counter day: what the counter recorded (requests taken and sent,
 * by the clerk who took them) against what the server accepted that Seoul day
 * (cancel and refund events of the district, by the user the server recorded).
 */
export const closingSchema = z.object({
  day: z.string(),
  districtCode: z.string(),
  rows: z.array(z.object({ clerk: z.string(), counter: tally, server: tally })),
  total: z.object({ counter: tally, server: tally }),
  differences: z.array(
    z.object({
      lotId: z.string(),
      receiptNo: z.string().nullable(),
      clerk: z.string(),
      kind: z.enum(['cancel', 'refund']),
      counterAmount: z.number().nullable(),
      serverAmount: z.number().nullable(),
      /** i18n key: why the two sides differ for this lot. */
      note: z.string(),
    }),
  ),
  closed: z.object({ by: z.string(), at: z.string() }).nullable(),
  /** The server's last word on this day as pulled (null: none yet): what it judges refunds against. */
  server: z.object({ closed: z.boolean(), by: z.string(), at: z.string() }).nullable(),
  reopenings: z.array(z.object({ by: z.string(), at: z.string(), reason: z.string(), closedBy: z.string(), closedAt: z.string() })),
});
export type ClosingView = z.infer<typeof closingSchema>;

/** Whether the counter takes work on a district's Seoul day, from this console's closings and the server's as synced. */
export const dayStateSchema = z.object({ day: z.string(), districtCode: z.string(), closed: z.object({ by: z.string(), at: z.string() }).nullable() }).strict();
export type DayState = z.infer<typeof dayStateSchema>;

export const closingInputSchema = z.object({ day: day, districtCode: z.string().max(10).optional() }).strict();
