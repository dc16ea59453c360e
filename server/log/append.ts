import { sql, type Transaction } from 'kysely';
import { canonicalEvent, chainHash } from '../../shared/node/chain/log-hash.js';
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
  return 'lotId' in e ? e.lotId : null;
}

/**
 * The district every lot event is filed under: its lot's (the buyer's district
 * of residence), so reads can be scoped by district. A lot bought in the same
 * batch may not be in `lots` yet, so purchases are read from the batch first.
 */
async function lotDistricts(trx: Transaction<ServerDatabase>, events: readonly SyncEvent[]): Promise<Map<string, string>> {
  const districts = new Map<string, string>();
  for (const e of events) if (e.type === 'purchase') districts.set(e.lotId, e.districtCode);
  const missing = [...new Set(events.map(lotOf).filter((l): l is string => l !== null && !districts.has(l)))];
  if (missing.length > 0) {
    const r = await sql<{ lot_id: string; district_code: string }>`select lot_id, district_code from lots where lot_id = any(${missing}::text[])`.execute(trx);
    for (const row of r.rows) districts.set(row.lot_id, row.district_code);
  }
  return districts;
}

const CHUNK = 2_000;

/**
 * Appends events after `head`, numbering them without gaps and chaining each
 * hash to the last; returns the new head. The caller holds the head lock and
 * has already checked the events against the rules.
 */
export async function writeEvents(trx: Transaction<ServerDatabase>, head: Head, events: readonly SyncEvent[], recordedBy: string, at: Date): Promise<Head> {
  let { seq, hash } = head;
  const lotDistrict = await lotDistricts(trx, events);
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
      rounds.push('roundId' in e ? e.roundId : null);
      const lot = lotOf(e);
      lots.push(lot);
      // A day's closing is filed under its district; it names no lot or buyer, so every reader sees it in full.
      districts.push(e.type === 'day_closing' ? e.districtCode : lot === null ? null : (lotDistrict.get(lot) ?? null));
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
