import { z } from 'zod';
import { RESOLUTION_REASONS } from '../reconcile/adjustments.js';
import { EXCEPTION_CLASSES } from '../reconcile/match.js';

/**
 * Settlement and adjustments as the server holds them: the console records
 * each imported file (its digest, its days' figures and the exceptions it
 * found, each with its difference), and every booking, lock and reopening
 * names that record so the server can check the money against its own figures.
 */

const id = z.string().min(1).max(64);
const instant = z.iso.datetime({ offset: true });
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, { message: 'expected a SHA-256 hex digest' });
export const providerId = z.string().regex(/^[a-z0-9_-]{1,32}$/);
/** An exception's name within its file (`exceptionRef`): a line, or the record's event when the file has no row. */
export const exceptionRefSchema = z.string().regex(/^[LET][A-Za-z0-9:_.-]{1,79}$/);
const won = z.int().min(-100_000_000_000).max(100_000_000_000);

/** Exceptions a file may carry in one command: far above any day seen, far below what the server's body cap allows. */
export const MAX_FILE_EXCEPTIONS = 20_000;

/** The name an exception has in its file, the same on every console and the server. */
export function exceptionRef(e: { line: number | null; eventId: string | null; tid: string | null }): string {
  if (e.line !== null) return `L${e.line}`;
  if (e.eventId !== null) return `E${e.eventId}`;
  return `T${e.tid ?? ''}`;
}

export const recordSettlementSchema = z
  .object({
    type: z.literal('record_settlement'),
    commandId: id,
    sentAt: instant,
    fileDigest: sha256Hex,
    provider: providerId,
    /** The day the file settles (where its exceptions are filed and its bookings dated). */
    day: z.iso.date(),
    /** The payout day most of its rows carry, when the profile names one. */
    payoutDay: z.iso.date().nullable(),
    /** Per approval day: rows and signed amount, as the file states them. */
    days: z.array(z.object({ day: z.iso.date(), count: z.int().min(0), amount: won }).strict()).min(1).max(62),
    exceptions: z
      .array(z.object({ ref: exceptionRefSchema, class: z.enum(EXCEPTION_CLASSES), difference: won }).strict())
      .max(MAX_FILE_EXCEPTIONS)
      .refine((xs) => new Set(xs.map((x) => x.ref)).size === xs.length, { message: 'exception refs must be unique' }),
  })
  .strict()
  .refine((c) => c.days.some((d) => d.day === c.day), { message: 'the file’s day must be one of its days', path: ['day'] });

const bookingShape = {
  fileDigest: sha256Hex,
  exceptionRef: exceptionRefSchema,
  amount: z.int().min(-1_000_000_000).max(1_000_000_000).refine((v) => v !== 0),
};

/**
 * Won booked on one exception of a recorded file, in the author's name: the
 * server decides who and when, checks the amount against what the exception
 * leaves unexplained, and appends an `adjustment_booked` event.
 */
export const bookAdjustmentSchema = z
  .object({
    type: z.literal('book_adjustment'),
    commandId: id,
    sentAt: instant,
    provider: providerId,
    day: z.iso.date(),
    ...bookingShape,
    exception: z
      .object({
        class: z.enum(EXCEPTION_CLASSES),
        line: z.int().min(1).nullable(),
        tid: z.string().min(1).max(64).nullable(),
        fileAmount: z.int().nullable(),
        ledgerAmount: z.int().nullable(),
      })
      .strict(),
    reason: z.enum(RESOLUTION_REASONS),
    text: z.string().trim().min(1).max(500),
  })
  .strict();

/** A second official's approval of another's booking above the administrator's amount; held until the booking arrives. */
export const countersignAdjustmentSchema = z
  .object({ type: z.literal('countersign_adjustment'), commandId: id, sentAt: instant, requestCommandId: id, requestedBy: z.string().min(1).max(64), ...bookingShape })
  .strict();

/** Administrators only: bookings above `amount` won (either sign) need a second official (null: none do). */
export const setAdjustmentThresholdSchema = z.object({ type: z.literal('set_adjustment_threshold'), commandId: id, sentAt: instant, amount: z.int().min(0).nullable() }).strict();

export const lockReconcileDaySchema = z.object({ type: z.literal('lock_reconcile_day'), commandId: id, sentAt: instant, day: z.iso.date(), provider: providerId }).strict();
export const reopenReconcileDaySchema = z
  .object({ type: z.literal('reopen_reconcile_day'), commandId: id, sentAt: instant, day: z.iso.date(), provider: providerId, reason: z.string().trim().min(1).max(500) })
  .strict();

export const RECONCILE_COMMANDS = [recordSettlementSchema, bookAdjustmentSchema, countersignAdjustmentSchema, setAdjustmentThresholdSchema, lockReconcileDaySchema, reopenReconcileDaySchema] as const;

/** A booking the server accepted: the journal every console reads after sync. */
export const adjustmentBookedSchema = z
  .object({
    type: z.literal('adjustment_booked'),
    eventId: id,
    day: z.iso.date(),
    provider: providerId,
    fileDigest: sha256Hex,
    exceptionRef: exceptionRefSchema,
    amount: z.int(),
    reason: z.enum(RESOLUTION_REASONS),
    text: z.string().max(500),
    by: z.string().max(64),
    countersignedBy: z.string().max(64).optional(),
    at: instant,
  })
  .strict();

const dayEvent = {
  eventId: id,
  day: z.iso.date(),
  provider: providerId,
  by: z.string().max(64),
  at: instant,
};
/** A day locked by the server at 0 unexplained on its own figures. */
export const reconcileDayLockedSchema = z.object({ type: z.literal('reconcile_day_locked'), ...dayEvent }).strict();
/** A locked day opened again, with the reason. */
export const reconcileDayReopenedSchema = z.object({ type: z.literal('reconcile_day_reopened'), ...dayEvent, reason: z.string().max(500) }).strict();

export const RECONCILE_EVENTS = [adjustmentBookedSchema, reconcileDayLockedSchema, reconcileDayReopenedSchema] as const;
export type ReconcileEvent = z.infer<(typeof RECONCILE_EVENTS)[number]>;
