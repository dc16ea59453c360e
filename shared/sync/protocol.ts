import { z } from 'zod';
import { ledgerEventSchema } from '../ledger/events.js';
import { roundSpecSchema } from '../rounds/spec.js';
import { RECONCILE_COMMANDS, RECONCILE_EVENTS } from './reconcile-wire.js';
import { SALE_COMMANDS, SALE_EVENTS } from './sale-wire.js';
import { usesFoldedSchema } from './use-checkpoint.js';

/**
 * What crosses the wire between a console and the central server. The server
 * builds responses from these shapes; the console checks every reply against
 * them before it writes anything.
 */

const id = z.string().min(1).max(64);
/**
 * Ids a console sends in a command (round, lot, command and request ids; the
 * server's usernames are a-z 0-9 . _ - already): letters, digits and . _ : -
 * after a letter or digit, so none can begin a spreadsheet formula, break a
 * CSV line or a log line, whatever a modified console sends.
 */
export const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const safeId = z.string().regex(SAFE_ID, { message: 'expected an id of letters, digits and . _ : - starting with a letter or digit' });
const instant = z.iso.datetime({ offset: true });
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, { message: 'expected a SHA-256 hex digest' });

/** A round version made the record: the server checks sales against it. Proposer and approver are the server's own users. */
export const roundPublishedSchema = z
  .object({
    type: z.literal('round_published'),
    eventId: id,
    roundId: id,
    version: z.int().min(1),
    spec: roundSpecSchema,
    /** Display name of the approver (kept for events recorded before proposals were server-side). */
    publishedBy: z.string().max(100),
    /** Usernames on the server: who wrote the version and who approved it. Absent on events before protocol 2. */
    proposedBy: z.string().max(64).optional(),
    approvedBy: z.string().max(64).optional(),
    at: instant,
  })
  .strict();

export const SERVER_ROUND_STATUSES = ['scheduled', 'on_sale', 'closed', 'settled'] as const;
export type ServerRoundStatus = (typeof SERVER_ROUND_STATUSES)[number];

/** A round moved through its lifecycle on the server, by `by` (a server username), at the server's time. */
export const roundStatusSchema = z
  .object({
    type: z.literal('round_status'),
    eventId: id,
    roundId: id,
    status: z.enum(SERVER_ROUND_STATUSES),
    /** The published version in effect when the status changed. */
    version: z.int().min(1),
    by: z.string().max(64),
    at: instant,
  })
  .strict();

const districtCode = z.string().regex(/^\d{5}$/);

/**
 * A district's Seoul day closed (`closed` true) or reopened at the counter, by `by` (a server username) at the
 * server's time. While closed the server refuses that district's refunds and cancellations on that day.
 */
export const dayClosingSchema = z
  .object({
    type: z.literal('day_closing'),
    eventId: id,
    districtCode,
    day: z.iso.date(),
    closed: z.boolean(),
    by: z.string().max(64),
    /** Why an official reopened the day; absent on a closing. */
    reason: z.string().max(500).optional(),
    at: instant,
  })
  .strict();

export const syncEventSchema = z.discriminatedUnion('type', [roundPublishedSchema, roundStatusSchema, dayClosingSchema, ...ledgerEventSchema.options, ...RECONCILE_EVENTS, ...SALE_EVENTS, usesFoldedSchema]);
export type SyncEvent = z.infer<typeof syncEventSchema>;
export type RoundPublished = z.infer<typeof roundPublishedSchema>;
export type RoundStatusEvent = z.infer<typeof roundStatusSchema>;
export type DayClosingEvent = z.infer<typeof dayClosingSchema>;

export const chainPointSchema = z.object({ seq: z.int().min(0), hash: sha256Hex }).strict();
export type ChainPoint = z.infer<typeof chainPointSchema>;

export const MAX_PAGE = 10_000;

export const signInReplySchema = z
  .object({
    token: z.string().min(20),
    user: z
      .object({
        id: z.string(),
        username: z.string(),
        displayName: z.string(),
        role: z.string(),
        districtCode: z.string().nullable(),
        // The server's password policy: true when the stored password fails it and must be changed before anything else.
        mustChangePassword: z.boolean().optional(),
      })
      .strict(),
  })
  .strict();
export type ServerUserInfo = z.infer<typeof signInReplySchema>['user'];

/**
 * Commands a console sends, each with the token of the console user who acted
 * (never a shared connection account): the server records that user, checks
 * their role and district, and stamps the time itself. `sentAt` is the
 * console's clock when it sent the command; the server refuses a command whose
 * `sentAt` is further than MAX_CLOCK_SKEW_MS from its own clock (a console
 * with a wrong clock), without recording an answer, so it can be sent again
 * once the clock is right. The command id is the idempotency key, per user.
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export const ROUND_TRANSITIONS = ['schedule', 'open', 'close', 'settle'] as const;
export type RoundTransition = (typeof ROUND_TRANSITIONS)[number];

export const commandSchema = z.discriminatedUnion('type', [
  /** A new version of a round, written by the sender: the server keeps it as a proposal until a second official approves it. */
  z.object({ type: z.literal('propose_round'), commandId: safeId, sentAt: instant, roundId: safeId, version: z.int().min(1), spec: roundSpecSchema }).strict(),
  /**
   * Approval of a proposed version by someone other than its proposer: the server publishes the spec it holds,
   * not one sent now, and only if it is the spec the approver saw (`specDigest`, SHA-256 of its canonical JSON):
   * a proposal someone else put in first for the same round and version is not published in the approver's name.
   */
  z.object({ type: z.literal('publish_round'), commandId: safeId, sentAt: instant, roundId: safeId, version: z.int().min(1), specDigest: sha256Hex }).strict(),
  /** schedule / open / close / settle, judged by the server's lifecycle and clock. */
  z.object({ type: z.literal('round_transition'), commandId: safeId, sentAt: instant, roundId: safeId, action: z.enum(ROUND_TRANSITIONS) }).strict(),
  /**
   * A refund or cancellation the console quoted. The server quotes again at its own time and refuses when
   * the kind or amount differ; `requestedAt` (when the clerk asked, console clock) is kept for the record only.
   */
  z
    .object({
      type: z.literal('approve_refund'),
      commandId: safeId,
      sentAt: instant,
      requestedAt: instant,
      roundId: safeId,
      lotId: safeId,
      kind: z.enum(['cancel', 'refund']),
      amount: z.int().min(0),
    })
    .strict(),
  /**
   * The two-person rule: a second user's approval of another user's refund request above the amount the
   * administrator set. Sent before the request itself; the server holds it and applies the request only when
   * it names the same requester (server username), command id, lot, kind and amount, from someone else.
   */
  z
    .object({
      type: z.literal('countersign_refund'),
      commandId: safeId,
      sentAt: instant,
      requestCommandId: safeId,
      requestedBy: z.string().min(1).max(64),
      roundId: safeId,
      lotId: safeId,
      kind: z.enum(['cancel', 'refund']),
      amount: z.int().min(0),
    })
    .strict(),
  /** A district clerk closes their district's Seoul day (officials and administrators any district's); never a day after the server's today. */
  z.object({ type: z.literal('close_day'), commandId: id, sentAt: instant, districtCode, day: z.iso.date() }).strict(),
  /** Officials and administrators reopen a closed district-day, with a reason. */
  z.object({ type: z.literal('reopen_day'), commandId: id, sentAt: instant, districtCode, day: z.iso.date(), reason: z.string().trim().min(1).max(500) }).strict(),
  /** Administrators only: refunds above `amount` won need a countersignature (null: none do). */
  z.object({ type: z.literal('set_refund_threshold'), commandId: safeId, sentAt: instant, amount: z.int().min(0).nullable() }).strict(),
  ...RECONCILE_COMMANDS,
  ...SALE_COMMANDS,
]);
export type Command = z.infer<typeof commandSchema>;

/** Settings the server holds that consoles follow: refunds above `countersignAbove` won need a second person. */
export const refundSettingsSchema = z.object({ countersignAbove: z.int().min(0).nullable() }).strict();
export type RefundSettings = z.infer<typeof refundSettingsSchema>;
/** A command as queued: `sentAt` is added when it is actually sent. */
export type QueuedCommand = Command extends infer C ? (C extends Command ? Omit<C, 'sentAt'> : never) : never;

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

/** GET /api/status: a server whose record is the demo data set says so, and every console shows it. */
export const serverStatusSchema = z.object({ demo: z.object({ scale: z.string(), createdAt: z.string() }).nullable() });
export type ServerStatus = z.infer<typeof serverStatusSchema>;
