import type BetterSqlite3 from 'better-sqlite3';
import fc from 'fast-check';
import { basisPointsOf } from '../../shared/common/money.js';
import type { LedgerEvent } from '../../shared/ledger/events.js';
import { canonicalEvent, chainHash, LOG_GENESIS } from '../../shared/node/chain/log-hash.js';
import type { FullEntry } from '../../shared/node/sync/apply.js';
import { SNAPSHOT_TABLES } from '../../shared/node/sync/snapshot-tables.js';
import type { SyncEvent } from '../../shared/sync/protocol.js';
import { spec2022 } from './specs.js';

/**
 * Random logs the server could have written (two rounds, purchases in three
 * districts, uses, cancellations, new round versions), for property tests of
 * what a console derives from them: the applier's totals, and a console synced
 * by snapshot against one synced by replay.
 */
export const HISTORY_DISTRICTS = ['11110', '11680', '11140'] as const;

export const AT = '2026-03-10T01:00:00.000Z';
export const ROUNDS = ['r0', 'r1'] as const;
export const baseSpec = spec2022({ totalAmount: 300_000, paymentMethods: ['bank_transfer'] });

/** What a test does to the log, before it is turned into events that the server would have accepted. */
export type Op =
  | { op: 'purchase'; round: number; units: number; district: number }
  | { op: 'use'; pick: number; units: number }
  | { op: 'cancel'; pick: number }
  | { op: 'publish'; round: number; grow: number };

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('purchase' as const), round: fc.nat(1), units: fc.integer({ min: 1, max: 5 }), district: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('use' as const), pick: fc.nat(), units: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('publish' as const), round: fc.nat(1), grow: fc.integer({ min: 1, max: 20 }) }) },
);

interface ModelLot {
  lotId: string;
  roundId: string;
  face: number;
  paid: number;
  used: number;
  cancelled: boolean;
}

/** Turns ops into a log the server could have written: stock held to the version in effect, uses within balance, cancels of unused lots. */
export function materialise(ops: Op[]): SyncEvent[] {
  const events: SyncEvent[] = [];
  const versions = ROUNDS.map(() => ({ version: 1, total: baseSpec.totalAmount }));
  const sold = ROUNDS.map(() => 0);
  const lots: ModelLot[] = [];
  ROUNDS.forEach((roundId) => events.push({ type: 'round_published', eventId: `${roundId}-v1`, roundId, version: 1, spec: baseSpec, publishedBy: 'kim', at: AT }));
  let n = 0;
  for (const o of ops) {
    n++;
    if (o.op === 'purchase') {
      const face = o.units * 10_000;
      if (sold[o.round]! + face > versions[o.round]!.total) continue;
      const roundId = ROUNDS[o.round]!;
      const lot = { lotId: `lot${n}`, roundId, face, paid: face - basisPointsOf(face, baseSpec.discountBp), used: 0, cancelled: false };
      lots.push(lot);
      sold[o.round]! += face;
      events.push({ type: 'purchase', eventId: `e${n}`, roundId, lotId: lot.lotId, at: AT, buyerId: `b${n}`, districtCode: HISTORY_DISTRICTS[o.district]!, face, paid: lot.paid, paymentMethod: 'bank_transfer' });
    } else if (o.op === 'use') {
      const open = lots.filter((l) => !l.cancelled && l.used < l.face);
      const lot = open[o.pick % Math.max(1, open.length)];
      if (!lot) continue;
      const amount = Math.min(o.units * 10_000, lot.face - lot.used);
      lot.used += amount;
      events.push({ type: 'use', eventId: `e${n}`, roundId: lot.roundId, lotId: lot.lotId, at: AT, amount, merchantDistrict: null } satisfies LedgerEvent);
    } else if (o.op === 'cancel') {
      const unused = lots.filter((l) => !l.cancelled && l.used === 0);
      const lot = unused[o.pick % Math.max(1, unused.length)];
      if (!lot) continue;
      lot.cancelled = true;
      sold[ROUNDS.indexOf(lot.roundId as (typeof ROUNDS)[number])]! -= lot.face;
      events.push({ type: 'cancel', eventId: `e${n}`, roundId: lot.roundId, lotId: lot.lotId, at: AT, amount: lot.paid });
    } else {
      const v = versions[o.round]!;
      v.version++;
      v.total += o.grow * 10_000;
      const roundId = ROUNDS[o.round]!;
      events.push({ type: 'round_published', eventId: `${roundId}-v${v.version}`, roundId, version: v.version, spec: { ...baseSpec, totalAmount: v.total }, publishedBy: 'kim', at: AT });
    }
  }
  return events;
}

/** The log's entries as a page carries them in full, each hash chained from the last. */
export function chain(events: SyncEvent[]): FullEntry[] {
  let hash = LOG_GENESIS;
  return events.map((event, i) => {
    const text = canonicalEvent(event);
    hash = chainHash(hash, i + 1, text);
    return { seq: i + 1, hash, text, event };
  });
}

/**
 * Everything a console holds of the log, as rows in a fixed order: every table
 * a snapshot carries, the summaries' cursor and the sync cursor. Two consoles
 * that synced the same log hold equal values here, however they got there.
 */
export function syncedState(db: BetterSqlite3.Database): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const t of SNAPSHOT_TABLES) {
    // A buyer list's updated_seq is the head of the page that last changed it: a cache marker for readers
    // ("changed since"), which differs with the paging itself (two replays in other page sizes differ too).
    const cols = (db.prepare('select name from pragma_table_info(?)').pluck().all(t) as string[]).filter((c) => !(t === 'report_buyer_cells' && c === 'updated_seq'));
    out[t] = db.prepare(`select ${cols.join(', ')} from ${t} order by ${cols.map((_, i) => i + 1).join(', ')}`).raw().all();
  }
  out.report_facts_state = db.prepare('select last_seq from report_facts_state').raw().all();
  out.cursor = db.prepare('select last_seq, last_hash from sync_state').raw().all();
  Object.assign(out, unreadableRuns(db));
  return out;
}

/**
 * The events held as digests, whether one row each (a replay) or folded into
 * runs (a snapshot, migration 0043): every run of two or more consecutive
 * ones as its first and last sequence and the hash at its last (all a folded
 * run keeps), a lone one as its sequence, hash and digest.
 */
function unreadableRuns(db: BetterSqlite3.Database): { redacted_events: unknown[]; redacted_ranges: unknown[] } {
  const spans = [
    ...(db.prepare('select seq, seq, hash, digest from redacted_events').raw().all() as [number, number, string, string | null][]),
    ...(db.prepare('select from_seq, seq, hash, null from redacted_ranges').raw().all() as [number, number, string, string | null][]),
  ].sort((a, b) => a[0] - b[0]);
  const runs: [number, number, string, string | null][] = [];
  for (const span of spans) {
    const last = runs.at(-1);
    if (last && span[0] === last[1] + 1) runs[runs.length - 1] = [last[0], span[1], span[2], null];
    else runs.push([...span]);
  }
  return {
    redacted_events: runs.filter((r) => r[0] === r[1]).map(([seq, , hash, digest]) => [seq, hash, digest]),
    redacted_ranges: runs.filter((r) => r[0] < r[1]).map(([first, last, hash]) => [first, last, hash]),
  };
}
