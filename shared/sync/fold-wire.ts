import { z } from 'zod';

/** Below this a fold could reach a day still being worked on: a clerk reopens a day within the week at most. */
export const MIN_FOLD_AGE_DAYS = 7;
/** Ten years back: a larger figure is a typing slip, not a policy. */
export const MAX_FOLD_AGE_DAYS = 3_650;

export const foldAgeSchema = z.int().min(MIN_FOLD_AGE_DAYS).max(MAX_FOLD_AGE_DAYS);

/** The server's answer to a fold: nothing folded is `foldId` null, zero checkpoints and no event in the log. */
export const foldResultSchema = z
  .object({
    foldId: z.string().nullable(),
    throughDay: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    checkpoints: z.int().min(0),
    events: z.int().min(0),
    seq: z.int().min(1).nullable(),
  })
  .strict();
export type FoldResultWire = z.infer<typeof foldResultSchema>;

/** One administrator's fold as the server recorded it (`use_folds`), with who did it by name. */
export const foldActSchema = z
  .object({
    id: z.string(),
    byName: z.string(),
    at: z.iso.datetime({ offset: true }),
    throughDay: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    olderThanDays: z.int().min(MIN_FOLD_AGE_DAYS),
    checkpoints: z.int().min(1),
    events: z.int().min(1),
    seq: z.int().min(1),
  })
  .strict();
export type FoldAct = z.infer<typeof foldActSchema>;

/** The newest folds first, at most this many (a fold is a rare act: a page of them is years). */
export const FOLD_LIST_LIMIT = 100;
export const foldListSchema = z.object({ folds: z.array(foldActSchema).max(FOLD_LIST_LIMIT) }).strict();
