import { sql, type Transaction } from 'kysely';
import { canonicalEvent, chainHash } from '../../shared/node/ledger/chain.js';
import type { SyncEvent } from '../../shared/sync/protocol.js';
import type { ServerDatabase } from '../db/schema.js';

export interface Head {
  seq: number;
  hash: string;
}

/** Locks the log head for the rest of the transaction: appends are serialised here. */
export async function lockHead(trx: Transaction<ServerDatabase>): Promise<Head> {
  const r = await sql<{ seq: number; hash: string }>`select seq, hash from log_head where id = 1 for update`.execute(trx);
  const row = r.rows[0]!;
  return { seq: Number(row.seq), hash: row.hash };
}

function lotOf(e: SyncEvent): string | null {
  return e.type === 'round_published' || e.type === 'round_status' ? null : e.lotId;
}

function districtOf(e: SyncEvent): string | null {
  return e.type === 'purchase' ? e.districtCode : null;
}

const CHUNK = 2_000;

/**
 * Appends events after `head`, numbering them without gaps and chaining each
 * hash to the last; returns the new head. The caller holds the head lock and
 * has already checked the events against the rules.
 */
export async function writeEvents(trx: Transaction<ServerDatabase>, head: Head, events: readonly SyncEvent[], recordedBy: string, at: Date): Promise<Head> {
  let { seq, hash } = head;
  for (let i = 0; i < events.length; i += CHUNK) {
    const seqs: number[] = [];
    const ids: string[] = [];
    const types: string[] = [];
    const rounds: (string | null)[] = [];
    const lots: (string | null)[] = [];
    const districts: (string | null)[] = [];
    const payloads: string[] = [];
    const hashes: string[] = [];
    for (const e of events.slice(i, i + CHUNK)) {
      seq++;
      const payload = canonicalEvent(e);
      hash = chainHash(hash, seq, payload);
      seqs.push(seq);
      ids.push(e.eventId);
      types.push(e.type);
      rounds.push(e.roundId);
      lots.push(lotOf(e));
      districts.push(districtOf(e));
      payloads.push(payload);
      hashes.push(hash);
    }
    // One statement per chunk: unnest turns parallel arrays into rows.
    await sql`
      insert into events (seq, event_id, type, round_id, lot_id, district_code, payload, hash, recorded_at, recorded_by)
      select s, i, t, r, l, d, p, h, ${at.toISOString()}::timestamptz, ${recordedBy}
      from unnest(${seqs}::bigint[], ${ids}::text[], ${types}::text[], ${rounds}::text[], ${lots}::text[], ${districts}::text[], ${payloads}::text[], ${hashes}::text[])
        as x(s, i, t, r, l, d, p, h)
    `.execute(trx);
  }
  await sql`update log_head set seq = ${seq}, hash = ${hash} where id = 1`.execute(trx);
  return { seq, hash };
}
