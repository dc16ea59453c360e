import { z } from 'zod';
import { sha256Hex } from './protocol.js';

/**
 * Audit anchoring on the wire: a console states the head of its audit chain
 * with every sync, and reads back what the server holds for it when it
 * verifies. A history rewritten on the console cannot match both.
 */

export const consoleIdSchema = z.uuid();

export const anchorRequestSchema = z.object({ consoleId: consoleIdSchema, seq: z.int().min(1), hash: sha256Hex }).strict();
export type AnchorRequest = z.infer<typeof anchorRequestSchema>;

/** One anchor as the server keeps it; `receivedAt` is the server's clock, `username` (who sent it) for administrators only. */
export const anchorSchema = z
  .object({ consoleId: consoleIdSchema, seq: z.int().min(1), hash: sha256Hex, receivedAt: z.iso.datetime({ offset: true }), username: z.string().optional() })
  .strict();
export type Anchor = z.infer<typeof anchorSchema>;

/** The answer to an accepted anchor; `known` when the server already held this seq with this hash. */
export const anchorAcceptedSchema = anchorSchema.omit({ username: true }).extend({ known: z.boolean() }).strict();

export const ANCHOR_CONFLICTS = ['backwards', 'hashDiffers'] as const;
export type AnchorConflictReason = (typeof ANCHOR_CONFLICTS)[number];

export const ANCHOR_PAGE = 5_000;

/** One page of a console's anchors, oldest first; `next` is the seq to ask after, or null at the end. */
export const anchorPageSchema = z.object({ anchors: z.array(anchorSchema), next: z.int().min(1).nullable() }).strict();
export type AnchorPage = z.infer<typeof anchorPageSchema>;
