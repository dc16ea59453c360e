import { z } from 'zod';
import { RESOLUTION_REASONS } from '../reconcile/adjustments.js';
import { EXCEPTION_CLASSES } from '../reconcile/match.js';
import { settlementProfileSchema } from '../reconcile/profile.js';

/** Officials and administrators reconcile; analysts read; clerks have no part in it. */
export const RECONCILERS = ['admin', 'official'] as const;
export const RECONCILE_READERS = ['admin', 'official', 'analyst'] as const;

/** Part of the contract; defined with the adjustments, below the sync protocol that carries it. */
export { RESOLUTION_REASONS };

/**
 * A settlement file is uploaded first (a binary request to the web host, an
 * ArrayBuffer through Electron's invoke) and the import names it by its upload
 * id. A million rows are 88–116 MB depending on the shape; 256 MB leaves room.
 */
export const MAX_UPLOAD_MB = 256;
const day = z.iso.date();
const provider = z.string().regex(/^[a-z0-9_-]{1,32}$/);

export const analyseInputSchema = z
  .object({
    profileId: z.string().regex(/^[a-z0-9_-]{1,40}$/),
    fileName: z.string().min(1).max(200),
    /** From `reconcile.upload` (Electron) or the web host's POST /api/upload. */
    uploadId: z.uuid(),
    /** false: a dry run that shows the result and writes nothing (the upload stays for the record step). */
    record: z.boolean(),
    windowBusinessDays: z.int().min(0).max(10).default(1),
  })
  .strict();

/** Electron's way in: the bytes themselves (structured clone carries them), checked against the same cap. */
export const uploadInputSchema = z
  .object({ bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'bytes must be binary' }).refine((b) => b.length > 0 && b.length <= MAX_UPLOAD_MB * 1024 * 1024, { message: `1 byte to ${MAX_UPLOAD_MB} MB` }) })
  .strict();
export const uploadOutputSchema = z.object({ uploadId: z.uuid(), bytes: z.int() });
export const discardUploadInputSchema = z.object({ uploadId: z.uuid() }).strict();

export const exceptionQuerySchema = z
  .object({
    startRow: z.int().min(0),
    endRow: z.int().min(1),
    day: day.nullable().optional(),
    provider: provider.nullable().optional(),
    districtCode: z.string().max(10).nullable().optional(),
    class: z.enum(EXCEPTION_CLASSES).nullable().optional(),
    status: z.enum(['open', 'resolved']).nullable().optional(),
  })
  .strict()
  .refine((q) => q.endRow > q.startRow && q.endRow - q.startRow <= 1_000, { message: 'endRow must be after startRow, at most 1,000 rows' });

export const exceptionRowSchema = z.object({
  id: z.int(),
  day: z.string(),
  provider: z.string(),
  class: z.enum(EXCEPTION_CLASSES),
  line: z.int().nullable(),
  tid: z.string().nullable(),
  eventId: z.string().nullable(),
  districtCode: z.string().nullable(),
  fileAmount: z.int().nullable(),
  ledgerAmount: z.int().nullable(),
  explainedBy: z.string().nullable(),
  assignee: z.string().nullable(),
  note: z.string().nullable(),
  resolution: z.string().nullable(),
  resolutionText: z.string().nullable(),
  adjustment: z.int().nullable(),
  /** Won booked on this exception in all (the resolution's adjustment and any corrections), less refused ones. */
  booked: z.int(),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
});
export type ExceptionRow = z.infer<typeof exceptionRowSchema>;

export const resolveInputSchema = z
  .object({
    id: z.int().min(1),
    reason: z.enum(RESOLUTION_REASONS),
    text: z.string().trim().max(500).default(''),
    /** Won booked to close the difference; 0 when none. */
    adjustment: z.int().min(-1_000_000_000).max(1_000_000_000).default(0),
  })
  .strict();

/** Another booking on an exception: how a wrong adjustment is corrected in an append-only journal. */
export const adjustInputSchema = z
  .object({
    id: z.int().min(1),
    amount: z.int().min(-1_000_000_000).max(1_000_000_000).refine((v) => v !== 0, { message: 'amount must not be 0' }),
    reason: z.enum(RESOLUTION_REASONS),
    text: z.string().trim().min(1).max(500),
  })
  .strict();

/** A draft profile saved, or tried on the first lines of a file (64 KB is plenty for the preview's rows). */
export const PREVIEW_SAMPLE_BYTES = 64 * 1024;
export const saveProfileInputSchema = z.object({ profile: settlementProfileSchema }).strict();
export const previewProfileInputSchema = z
  .object({ profile: settlementProfileSchema, base64: z.string().min(1).max(Math.ceil((PREVIEW_SAMPLE_BYTES * 4) / 3) + 4) })
  .strict();
export const previewRowSchema = z.object({
  line: z.int(),
  type: z.enum(['approval', 'cancel']),
  tid: z.string(),
  originalTid: z.string().nullable(),
  approvalNo: z.string().nullable(),
  approvedMs: z.number(),
  approvedDay: z.string(),
  amount: z.int(),
  fee: z.int(),
  vat: z.int(),
  net: z.int(),
  payoutDay: z.string(),
});
export const previewOutputSchema = z.object({
  encoding: z.string(),
  rows: z.array(previewRowSchema),
  error: z.object({ key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])) }).nullable(),
});
/** Who an exception may be handed to: people who may reconcile. */
export const assigneeSchema = z.object({ username: z.string(), displayName: z.string(), role: z.enum(RECONCILERS) });

export const reconcileDaySchema = z.object({
  day: z.string(),
  provider: z.string(),
  exceptions: z.int(),
  open: z.int(),
  /** Won: file minus record over the day's exceptions; adjustments booked; what is left (must be 0 to lock). */
  difference: z.int(),
  adjusted: z.int(),
  unexplained: z.int(),
  lockedBy: z.string().nullable(),
  lockedAt: z.string().nullable(),
  /**
   * The server's verdict, which is the one that counts: its lock from the synced
   * journal (who, when), whether this console's last lock or reopening is still
   * waiting to be sent, and the server's reason when it refused it.
   */
  server: z.object({
    lockedBy: z.string().nullable(),
    lockedAt: z.string().nullable(),
    pending: z.enum(['lock', 'reopen']).nullable(),
    refused: z.object({ action: z.enum(['lock', 'reopen']), key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])) }).nullable(),
  }),
});
export type ReconcileDay = z.infer<typeof reconcileDaySchema>;

export const dayInputSchema = z.object({ day, provider }).strict();
export const reopenInputSchema = z.object({ day, provider, reason: z.string().trim().min(1).max(500) }).strict();
/** The second official's countersign of a booking the server held back (by its command id). */
export const countersignInputSchema = z.object({ commandId: z.uuid() }).strict();
export const reportInputSchema = z.object({ day, provider, format: z.enum(['pdf', 'xlsx']), lang: z.enum(['ko', 'en']).default('ko') }).strict();

export { settlementProfileSchema };

/**
 * One line of a day's reconciliation journal as the reconcile page shows it:
 * what the server recorded (a booking, lock or reopening, as synced — its
 * author and its time), or a booking this console sent that the server has
 * not accepted (`pending`, with this console's time) or refused.
 */
export const journalEntrySchema = z.object({
  /** `awaiting_second`: refused by the server for want of a second official, not countersigned yet. */
  source: z.enum(['server', 'pending', 'refused', 'awaiting_second']),
  /** This console's booking command (null for the server's lines): what `reconcile.countersign` names. */
  commandId: z.string().nullable(),
  kind: z.enum(['booking', 'lock', 'reopen']),
  /** Log sequence on the server; null for a booking not accepted. */
  seq: z.int().nullable(),
  /** Username and, when this console knows them, their name. */
  by: z.string(),
  byName: z.string().nullable(),
  countersignedBy: z.string().nullable(),
  /** The server's time for server lines; this console's time when it was booked for the others. */
  at: z.string(),
  /** The exception booked on, as this console knows it (null when its file was not imported here). */
  exception: z
    .object({
      ref: z.string(), class: z.enum(EXCEPTION_CLASSES).nullable(), line: z.int().nullable(), tid: z.string().nullable(),
      /** Won, file minus record, as this console found it (null when its file was not imported here). */
      difference: z.int().nullable(),
    })
    .nullable(),
  amount: z.int().nullable(),
  reason: z.string().nullable(),
  text: z.string().nullable(),
  /** Why the server refused it (an i18n key and its parameters). */
  refusal: z.object({ key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])).optional() }).nullable(),
});
export type JournalEntry = z.infer<typeof journalEntrySchema>;
