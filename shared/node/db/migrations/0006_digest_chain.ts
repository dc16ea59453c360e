import { sql, type Kysely } from 'kysely';
import { chainHash, chainHashBeforeDigests, LOG_GENESIS } from '../../chain/log-hash.js';

const BATCH = 5_000;
type Link = (prev: string, seq: number, canonical: string) => string;

const NO_UPDATE = {
  ledger_events: sql`create trigger ledger_events_no_update before update on ledger_events begin select raise(abort, 'ledger_events is append-only'); end`,
  round_publications: sql`create trigger round_publications_no_update before update on round_publications begin select raise(abort, 'round_publications is append-only'); end`,
};

/**
 * Re-links the synced log (ledger events and round publications share one
 * sequence) with `to`, walking it under `from` and stopping at the first event
 * that does not chain under it: what follows a break keeps its old hash, so an
 * edited copy still fails the chain check and is repaired from the server,
 * rather than being re-hashed into one that passes. The cursor follows when
 * its event was re-linked. The no-update triggers are off only for the
 * rewrite, inside the migration's transaction.
 */
async function relink(db: Kysely<any>, from: Link, to: Link): Promise<void> {
  await sql`drop trigger ledger_events_no_update`.execute(db);
  await sql`drop trigger round_publications_no_update`.execute(db);
  let oldPrev = LOG_GENESIS;
  let newPrev = LOG_GENESIS;
  let last = 0;
  let broken = false;
  while (!broken) {
    const rows = (
      await sql<{ seq: number; payload: string; hash: string; t: 'e' | 'p' }>`
        select * from (
          select seq, payload, hash, 'e' as t from ledger_events where hash is not null and seq > ${last}
          union all select seq, payload, hash, 'p' as t from round_publications where seq > ${last}
        ) order by seq limit ${BATCH}`.execute(db)
    ).rows;
    if (rows.length === 0) break;
    const updates: Record<'e' | 'p', [number, string][]> = { e: [], p: [] };
    for (const r of rows) {
      if (r.seq !== last + 1 || from(oldPrev, r.seq, r.payload) !== r.hash) {
        broken = true;
        break;
      }
      oldPrev = r.hash;
      newPrev = to(newPrev, r.seq, r.payload);
      updates[r.t].push([r.seq, newPrev]);
      last = r.seq;
    }
    for (const [t, table] of [['e', 'ledger_events'], ['p', 'round_publications']] as const) {
      if (updates[t].length === 0) continue;
      await sql`update ${sql.table(table)} set hash = j.value ->> '$[1]' from json_each(${JSON.stringify(updates[t])}) as j where ${sql.ref(`${table}.seq`)} = j.value ->> '$[0]'`.execute(db);
    }
  }
  await sql`update sync_state set last_hash = ${newPrev}, chain_status = 'unchecked', mismatch_seq = null where id = 1 and last_seq = ${last} and last_hash = ${oldPrev}`.execute(db);
  await NO_UPDATE.ledger_events.execute(db);
  await NO_UPDATE.round_publications.execute(db);
}

/**
 * The chain links each event's digest instead of its text (see chain.ts), so
 * events the server sends redacted to this console (another district's, for a
 * clerk's account) are kept as sequence, hash and digest, and the local log
 * still chains end to end.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('redacted_events')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull().check(sql`length(digest) = 64`))
    .execute();
  await sql`create trigger redacted_events_no_update before update on redacted_events begin select raise(abort, 'redacted_events is append-only'); end`.execute(db);
  await sql`create trigger redacted_events_no_delete before delete on redacted_events when not exists (select 1 from sync_repair) begin select raise(abort, 'redacted_events is append-only'); end`.execute(db);
  await relink(db, chainHashBeforeDigests, chainHash);
}

export async function down(db: Kysely<any>): Promise<void> {
  const held = (await sql<{ n: number }>`select count(*) as n from redacted_events`.execute(db)).rows[0]!.n;
  if (held > 0) throw new Error(`cannot roll back 0006_digest_chain: ${held} events are held as digests only`);
  await sql`drop trigger redacted_events_no_delete`.execute(db);
  await sql`drop trigger redacted_events_no_update`.execute(db);
  await db.schema.dropTable('redacted_events').execute();
  await relink(db, chainHash, chainHashBeforeDigests);
}
