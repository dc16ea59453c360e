import { z } from 'zod';
import { chainCheckSchema } from './schemas.js';
import { errorPayloadSchema } from './sync-schemas.js';

/**
 * How the audit log's anchors compared with the server's:
 * matched — every anchor the server holds for this console matches the local chain;
 * none — the server holds no anchor for this console yet;
 * mismatch — the local hash at an anchored seq differs (history rewritten);
 * missing — the local log ends before an anchored seq (history shortened);
 * unreachable — the server could not be asked; notConnected — no server connection.
 */
export const ANCHOR_STATES = ['matched', 'none', 'mismatch', 'missing', 'unreachable', 'notConnected'] as const;
export type AnchorState = (typeof ANCHOR_STATES)[number];

/**
 * ok: intact and matched; tampered: the chain is broken or an anchor does not match; unverified: intact as far as could be checked;
 * failed: the check itself broke (a database error, a fault in the console), so nothing is known; `error` says why.
 */
export const VERDICTS = ['ok', 'tampered', 'unverified', 'failed'] as const;

export const anchorCheckSchema = z.object({
  state: z.enum(ANCHOR_STATES),
  /** Anchors compared. */
  checked: z.number(),
  /** The anchor that failed, or else the latest that matched. */
  seq: z.number().nullable(),
  /** When the server received that anchor (server clock). */
  anchoredAt: z.string().nullable(),
  /** Why the server could not be asked. */
  error: errorPayloadSchema.nullable(),
});

export const verifyResultSchema = z.object({
  ok: z.boolean(),
  verdict: z.enum(VERDICTS),
  chain: chainCheckSchema,
  anchor: anchorCheckSchema,
  consoleId: z.string(),
  verifiedAt: z.string(),
  /** Why the check could not run (verdict failed); null otherwise. */
  error: errorPayloadSchema.nullable(),
});
export type VerifyResult = z.infer<typeof verifyResultSchema>;
export type AnchorCheck = z.infer<typeof anchorCheckSchema>;
