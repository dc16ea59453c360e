import { sql, type Kysely } from 'kysely';
import { eventDigest } from '../../shared/node/chain/log-hash.js';
import { CHECKPOINT_LINE } from '../../shared/sync/use-checkpoint.js';
import type { ServerDatabase } from '../db/schema.js';
import type { Head } from './append.js';
import { eventLine, readsInFull, type ReadScope, type StoredEvent } from './read-scope.js';

/**
 * One events page, (after, to], as NDJSON lines: the header, then each event
 * in the reader's scope (read-scope.ts). `fold` (a console that understands
 * use checkpoints, and the snapshots): a folded use goes as its digest, and
 * each checkpoint the reader may read follows the line of its last event
 * (design: shared/sync/use-checkpoint.ts). Without `fold` the page is as it
 * always was.
 */
export async function pageLines(db: Kysely<ServerDatabase>, scope: ReadScope, head: Head, after: number, to: number, fold: boolean): Promise<string[]> {
  const rows = fold
    ? await sql<StoredEvent & { folded: boolean }>`
        select e.seq, e.hash, e.payload, e.lot_id, e.district_code, f.seq is not null as folded
        from events e left join folded_events f on f.seq = e.seq where e.seq > ${after} and e.seq <= ${to} order by e.seq`.execute(db)
    : await sql<StoredEvent & { folded: boolean }>`
        select seq, hash, payload, lot_id, district_code, false as folded from events where seq > ${after} and seq <= ${to} order by seq`.execute(db);
  const checkpoints = new Map<number, string[]>();
  if (fold) {
    const cps = await sql<{ last_seq: string; lot_id: string; district_code: string; payload: string }>`
      select last_seq, lot_id, district_code, payload from use_checkpoints where last_seq > ${after} and last_seq <= ${to} order by id`.execute(db);
    for (const c of cps.rows) {
      if (!readsInFull(scope, c.lot_id, c.district_code)) continue;
      const at = Number(c.last_seq);
      checkpoints.set(at, [...(checkpoints.get(at) ?? []), `${CHECKPOINT_LINE}\t${c.payload}`]);
    }
  }
  let extra = 0;
  for (const list of checkpoints.values()) extra += list.length;
  const header = fold ? { head, after, count: rows.rows.length, checkpoints: extra } : { head, after, count: rows.rows.length };
  const lines = [JSON.stringify(header)];
  for (const r of rows.rows) {
    const seq = Number(r.seq);
    lines.push(r.folded ? `${seq}\t${r.hash}\t#${eventDigest(r.payload)}` : eventLine({ ...r, seq }, scope));
    for (const c of checkpoints.get(seq) ?? []) lines.push(c);
  }
  return lines;
}
