import { z } from 'zod';

/**
 * Compaction of settled use events (issue #21).
 *
 * Settled: a use whose lot's district closed the Seoul day the server recorded
 * it on (`day_closings.closed`; uses reach no settlement file, so the day's
 * closing is the act that settles them) and that day is at least
 * `olderThanDays` (≥ 7) before the server's Seoul today. A reopened day is not
 * settled; nothing recorded on an open day is ever folded.
 *
 * A fold (an administrator's `POST /api/admin/compact-uses`) groups the settled
 * uses not yet folded by lot into one checkpoint per lot, marks the events as
 * folded (the server keeps their text: it is the record) and appends ONE
 * `uses_folded` event to the log naming who folded, when, and per district the
 * SHA-256 over that district's checkpoints' digests. The event is chained like
 * any other, so the fold itself is in every console's chain and audit.
 *
 * On the wire (a page asked with `fold=1`, and the server's snapshots): a
 * folded event is sent as its digest only (`seq<TAB>hash<TAB>#digest`, as a
 * redacted one), so the chain still links every sequence number; right after
 * the line of a checkpoint's last event comes `~<TAB>checkpoint JSON`. A
 * console checks the checkpoint against the digests it holds for `seqs`
 * (`foldDigest`), adds to the lot only the part of `amount` it does not hold
 * as full events (a console that pulled some or all of them keeps them), and
 * when the `uses_folded` event arrives checks that its district's checkpoints
 * hash to what the chained event says: a checkpoint changed in transit or in a
 * snapshot file fails there, with nothing of that page kept.
 */
export const CHECKPOINT_LINE = '~';

const hex = z.string().regex(/^[0-9a-f]{64}$/);
const id = z.string().min(1).max(64);
const seq = z.int().min(1);
const won = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Uses folded per Seoul hour ("YYYY-MM-DD HH") and merchant district: what the report summaries need of them. */
export const checkpointUseSchema = z.tuple([z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}$/), z.string().max(10).nullable(), z.int().min(1), won]);

export const useCheckpointSchema = z
  .object({
    id,
    foldId: id,
    lotId: id,
    roundId: id,
    districtCode: z.string().max(10),
    count: z.int().min(1),
    amount: won,
    firstSeq: seq,
    lastSeq: seq,
    /** The folded events, ascending: the chain positions whose digests `digest` covers. */
    seqs: z.array(seq).min(1),
    /** foldDigest of the folded events' digests, in `seqs` order. */
    digest: hex,
    uses: z.array(checkpointUseSchema).min(1),
  })
  .strict();
export type UseCheckpoint = z.infer<typeof useCheckpointSchema>;

/**
 * The fold in the log: who and when, and per district the number of its
 * checkpoints and foldRoot over them. A console that received all of a
 * district's checkpoints (a new one, a snapshot build) checks the root; one
 * that pulled some of the folded events before the fold received only the
 * checkpoints of lots it had not finished, and checks each of those against
 * the events it holds instead.
 */
export const usesFoldedSchema = z
  .object({
    type: z.literal('uses_folded'),
    eventId: id,
    foldId: id,
    by: z.string().max(64),
    at: z.iso.datetime({ offset: true }),
    /** Seoul days up to this one (inclusive) were eligible. */
    throughDay: z.iso.date(),
    checkpoints: z.int().min(0),
    events: z.int().min(0),
    /** Per district: how many checkpoints the fold made there, and foldRoot over them. */
    roots: z.record(z.string().max(10), z.object({ checkpoints: z.int().min(1), root: hex }).strict()),
  })
  .strict();
export type UsesFoldedEvent = z.infer<typeof usesFoldedSchema>;

/** Internal consistency a checkpoint must have before anything is checked against the chain. */
export function checkpointShapeProblem(c: UseCheckpoint): string | null {
  if (c.seqs.length !== c.count) return `count ${c.count} but ${c.seqs.length} sequence numbers`;
  if (c.seqs[0] !== c.firstSeq || c.seqs[c.seqs.length - 1] !== c.lastSeq) return 'first/last sequence numbers do not match the list';
  for (let i = 1; i < c.seqs.length; i++) if (c.seqs[i]! <= c.seqs[i - 1]!) return 'sequence numbers not ascending';
  let n = 0;
  let amount = 0;
  for (const [, , un, ua] of c.uses) {
    n += un;
    amount += ua;
  }
  if (n !== c.count || amount !== c.amount) return `uses add up to ${n} / ${amount} won, not ${c.count} / ${c.amount}`;
  return null;
}
