import { z } from 'zod';
import { ERROR_CODES } from '../common/errors.js';
import { PAYMENT_METHODS } from '../rounds/spec.js';
import { roundTotalsSchema } from '../sync/protocol.js';

export const errorPayloadSchema = z.object({
  code: z.enum(ERROR_CODES),
  key: z.string(),
  message: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

export const syncStatusSchema = z.object({
  configured: z.boolean(),
  serverUrl: z.string().nullable(),
  username: z.string().nullable(),
  lastSeq: z.number(),
  headSeq: z.number(),
  lastAttemptAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  lastError: errorPayloadSchema.nullable(),
  chainStatus: z.enum(['unchecked', 'ok', 'mismatch']),
  mismatchSeq: z.number().nullable(),
  pendingOutbox: z.number(),
  rejectedOutbox: z.number(),
  serverIdentity: z.object({ signedIn: z.boolean(), error: errorPayloadSchema.nullable() }).nullable(),
  /** While a sync runs: events still to apply and the time left at the rate so far (null until a page is in). */
  running: z.object({ left: z.number(), etaSeconds: z.number().nullable() }).nullable(),
  /** The connected server's record is the demo data set (GET /api/status). */
  demo: z.object({ scale: z.string(), createdAt: z.string() }).nullable(),
});

export const outboxItemSchema = z.object({
  commandId: z.string(),
  type: z.string(),
  roundId: z.string().nullable(),
  lotId: z.string().nullable(),
  createdAt: z.string(),
  createdByName: z.string(),
  state: z.enum(['pending', 'accepted', 'rejected']),
  attempts: z.number(),
  nextAttemptAt: z.string(),
  lastError: errorPayloadSchema.nullable(),
  reason: z.object({ key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])).optional() }).nullable(),
  serverSeq: z.number().nullable(),
  resolvedAt: z.string().nullable(),
  summary: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type OutboxItem = z.infer<typeof outboxItemSchema>;

export const LEDGER_TYPES = ['purchase', 'use', 'gift', 'cancel', 'refund'] as const;

export const ledgerQuerySchema = z
  .object({
    roundId: z.string().min(1).max(64),
    startRow: z.int().min(0),
    endRow: z.int().min(1),
    sort: z.enum(['seq', 'occurredAt', 'amount']).default('seq'),
    direction: z.enum(['asc', 'desc']).default('desc'),
    types: z.array(z.enum(LEDGER_TYPES)).max(LEDGER_TYPES.length).optional(),
    districtCode: z.string().max(10).nullable().optional(),
    paymentMethod: z.enum(PAYMENT_METHODS).nullable().optional(),
    /** One purchase's events, for a clerk looking up the lot a citizen brings in. */
    lotId: z.string().max(64).nullable().optional(),
    /** Seoul calendar days, inclusive. */
    fromDay: z.iso.date().nullable().optional(),
    toDay: z.iso.date().nullable().optional(),
  })
  .strict()
  .refine((q) => q.endRow > q.startRow && q.endRow - q.startRow <= 1_000, { message: 'endRow must be after startRow, at most 1,000 rows at a time', path: ['endRow'] });

export const ledgerRowSchema = z.object({
  seq: z.number(),
  type: z.enum(LEDGER_TYPES),
  lotId: z.string(),
  districtCode: z.string(),
  amount: z.number(),
  paymentMethod: z.string(),
  occurredAt: z.string(),
});
export type LedgerRow = z.infer<typeof ledgerRowSchema>;

export const ledgerTotalsSchema = z.object({
  local: roundTotalsSchema,
  server: roundTotalsSchema.nullable(),
  serverError: errorPayloadSchema.nullable(),
});

export const lotDetailSchema = z.object({
  lotId: z.string(),
  roundId: z.string(),
  districtCode: z.string(),
  paymentMethod: z.string(),
  face: z.number(),
  paid: z.number(),
  used: z.number(),
  refunded: z.number(),
  status: z.enum(['active', 'cancelled', 'refunded']),
  purchasedAt: z.string(),
  expiresAt: z.string(),
  gifted: z.boolean(),
  events: z.array(ledgerRowSchema),
  quote: z.union([z.object({ ok: z.literal(true), kind: z.enum(['cancel', 'refund']), amount: z.number() }), z.object({ ok: z.literal(false), key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])).optional() })]),
  pendingRequest: z.string().nullable(),
});
export type LotDetail = z.infer<typeof lotDetailSchema>;
