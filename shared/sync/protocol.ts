import { z } from 'zod';
import { ledgerEventSchema } from '../ledger/events.js';
import { roundSpecSchema } from '../rounds/spec.js';

/**
 * What crosses the wire between a console and the central server. The server
 * builds responses from these shapes; the console checks every reply against
 * them before it writes anything.
 */

const id = z.string().min(1).max(64);
const instant = z.iso.datetime({ offset: true });
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, { message: 'expected a SHA-256 hex digest' });

/** A round version made the record: the server checks sales against it. */
export const roundPublishedSchema = z
  .object({
    type: z.literal('round_published'),
    eventId: id,
    roundId: id,
    version: z.int().min(1),
    spec: roundSpecSchema,
    publishedBy: z.string().max(100),
    at: instant,
  })
  .strict();

export const syncEventSchema = z.discriminatedUnion('type', [roundPublishedSchema, ...ledgerEventSchema.options]);
export type SyncEvent = z.infer<typeof syncEventSchema>;
export type RoundPublished = z.infer<typeof roundPublishedSchema>;

export const chainPointSchema = z.object({ seq: z.int().min(0), hash: sha256Hex }).strict();
export type ChainPoint = z.infer<typeof chainPointSchema>;

export const MAX_PAGE = 10_000;

export const signInReplySchema = z
  .object({
    token: z.string().min(20),
    user: z.object({ id: z.string(), username: z.string(), displayName: z.string(), role: z.string(), districtCode: z.string().nullable() }).strict(),
  })
  .strict();

/** Commands a console sends; the command id is the idempotency key. */
export const commandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('publish_round'), commandId: id, roundId: id, version: z.int().min(1), spec: roundSpecSchema }).strict(),
  z
    .object({
      type: z.literal('approve_refund'),
      commandId: id,
      roundId: id,
      lotId: id,
      kind: z.enum(['cancel', 'refund']),
      amount: z.int().min(0),
      at: instant,
    })
    .strict(),
]);
export type Command = z.infer<typeof commandSchema>;

export const commandResultSchema = z
  .object({
    commandId: id,
    status: z.enum(['accepted', 'rejected']),
    /** Why it was rejected: an i18n key and its parameters, shown to the user. */
    reason: z.object({ key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])).optional() }).strict().nullable(),
    /** Sequence of the event the command produced, when it produced one. */
    seq: z.int().nullable(),
  })
  .strict();
export type CommandResult = z.infer<typeof commandResultSchema>;

export const roundTotalsSchema = z
  .object({
    roundId: id,
    /** Set when the totals cover one district only (a district clerk's). */
    districtCode: z.string().max(10).optional(),
    throughSeq: z.int().min(0),
    purchases: z.int(),
    faceSold: z.int(),
    paid: z.int(),
    used: z.int(),
    cancelled: z.int(),
    refundedAmount: z.int(),
  })
  .strict();
export type RoundTotals = z.infer<typeof roundTotalsSchema>;

/** An error body from the server. */
export const serverErrorSchema = z.object({ error: z.object({ key: z.string().optional(), message: z.string().min(1), params: z.record(z.string(), z.unknown()).optional() }) });
