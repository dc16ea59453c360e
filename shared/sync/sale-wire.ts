import { z } from 'zod';
import { SALE_UNIT } from '../common/money.js';

/**
 * Steering a live sale on the wire (rules: shared/rounds/steering.ts). A
 * console sends `steer_sale`; the server applies a one-official change at
 * once and keeps any other as a proposal until a second official sends
 * `approve_sale_change`. Every applied change is a `sale_steered` event in
 * the log, carrying the whole resulting controls, so every reader (sale
 * processes, consoles, the monitor) knows the state from the last one.
 */

const id = z.string().min(1).max(64);
const safeId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/);
const instant = z.iso.datetime({ offset: true });
const count = z.int().min(1).max(100_000_000);

const waitingSettings = { admissionPerMinute: count, maxActiveSessions: count, sessionTimeoutMinutes: z.int().min(1).max(24 * 60) };

export const saleChangeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('pause') }).strict(),
  z.object({ kind: z.literal('resume') }).strict(),
  z.object({ kind: z.literal('settings'), ...waitingSettings }).strict(),
  z
    .object({ kind: z.literal('add_stock'), amount: z.int().min(SALE_UNIT).max(1_000_000_000_000) })
    .strict()
    .refine((c) => c.amount % SALE_UNIT === 0, { message: `stock is added in whole ${SALE_UNIT} won units`, path: ['amount'] }),
  z.object({ kind: z.literal('stop') }).strict(),
]);

export const saleControlsSchema = z
  .object({
    revision: z.int().min(0),
    version: z.int().min(1),
    paused: z.boolean(),
    stopped: z.boolean(),
    settings: z.object(waitingSettings).strict().nullable(),
    addedStock: z.int().min(0),
  })
  .strict();

export const steerSaleSchema = z.object({ type: z.literal('steer_sale'), commandId: safeId, sentAt: instant, roundId: safeId, change: saleChangeSchema }).strict();

/** A second official's approval of a change another official proposed (`proposalId`: the proposing command's id). */
export const approveSaleChangeSchema = z.object({ type: z.literal('approve_sale_change'), commandId: safeId, sentAt: instant, roundId: safeId, proposalId: safeId }).strict();

export const SALE_COMMANDS = [steerSaleSchema, approveSaleChangeSchema] as const;

/** A change the server applied to a live sale: by whom (the approver, when two were needed), and the controls after it. */
export const saleSteeredSchema = z
  .object({
    type: z.literal('sale_steered'),
    eventId: id,
    roundId: id,
    change: saleChangeSchema,
    controls: saleControlsSchema,
    by: z.string().max(64),
    /** The official who proposed it, when a second one approved. */
    proposedBy: z.string().max(64).optional(),
    proposalId: id.optional(),
    at: instant,
  })
  .strict();
export type SaleSteeredEvent = z.infer<typeof saleSteeredSchema>;

export const SALE_EVENTS = [saleSteeredSchema] as const;
