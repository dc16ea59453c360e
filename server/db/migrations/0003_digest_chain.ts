import { sql, type Kysely } from 'kysely';
import { chainHash, chainHashBeforeDigests, LOG_GENESIS } from '../../../shared/node/chain/log-hash.js';

const BATCH = 5_000;
type Link = (prev: string, seq: number, canonical: string) => string;

/**
 * Re-links the whole log with `to`, checking every stored hash against `from`
 * first: a log that does not chain under its own formula is refused, never
 * re-hashed into one that does. The append-only trigger is off only for the
 * rewrite, inside the migration's transaction.
 */
async function relink(db: Kysely<any>, from: Link, to: Link): Promise<void> {
  await sql`alter table events disable trigger events_no_change`.execute(db);
  let oldPrev = LOG_GENESIS;
  let newPrev = LOG_GENESIS;
  let last = 0;
  for (;;) {
    const rows = (await sql<{ seq: number | string; payload: string; hash: string }>`select seq, payload, hash from events where seq > ${last} order by seq limit ${BATCH}`.execute(db)).rows;
    if (rows.length === 0) break;
    const seqs: number[] = [];
    const hashes: string[] = [];
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== last + 1 || from(oldPrev, seq, r.payload) !== r.hash) throw new Error(`the event log does not chain at ${last + 1}; not re-linked`);
      oldPrev = r.hash;
      newPrev = to(newPrev, seq, r.payload);
      seqs.push(seq);
      hashes.push(newPrev);
      last = seq;
    }
    await sql`update events set hash = x.h from unnest(${seqs}::bigint[], ${hashes}::text[]) as x(s, h) where events.seq = x.s`.execute(db);
  }
  const head = (await sql<{ seq: number | string; hash: string }>`select seq, hash from log_head where id = 1`.execute(db)).rows[0]!;
  if (Number(head.seq) !== last || head.hash !== oldPrev) throw new Error(`the log head (${head.seq}) is not the last event (${last}); not re-linked`);
  await sql`update log_head set hash = ${newPrev} where id = 1`.execute(db);
  await sql`alter table events enable trigger events_no_change`.execute(db);
}

/**
 * The chain links the digest of each event instead of its text, so an event
 * sent redacted (sequence, hash and digest) still chains; every lot event is
 * filed under its lot's district, so reads can be scoped by it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await relink(db, chainHashBeforeDigests, chainHash);
  await sql`alter table events disable trigger events_no_change`.execute(db);
  await sql`update events e set district_code = l.district_code from lots l where e.lot_id = l.lot_id and e.district_code is distinct from l.district_code`.execute(db);
  await sql`alter table events enable trigger events_no_change`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // Districts on lot events other than purchases stay: the old code never read them.
  await relink(db, chainHash, chainHashBeforeDigests);
}
