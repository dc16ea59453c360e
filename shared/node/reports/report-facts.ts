import type BetterSqlite3 from 'better-sqlite3';
import { connectionOf } from '../db/connection-of.js';
import type { LedgerWriteHook } from '../sync/sync-hooks.js';
import { generationAbove } from './report-generation.js';

/**
 * The report summaries (migration 0013), kept per applied sync page by a few
 * set-based statements over the events after a watermark, instead of a
 * trigger per event row (which cost sync apply ~40%):
 * - `report_facts_day`: round × Seoul day × district × payment method × lot face × event type;
 * - `report_facts_hour`: round × Seoul hour × district × payment method × event type;
 * - `report_facts_hour_face`: round × Seoul hour × lot face × payment method × event type;
 * - `report_facts_cell`: every key at once (round × hour × district × method × face × type),
 *   only for hour × denomination narrowed to districts;
 * - `report_buyer_cells`: per round × hour × district × method × face, the buyers of its
 *   purchases as a packed list of little-endian uint32 numbers (`report_buyers` numbers them),
 *   so distinct buyers are counted over ~60k small lists instead of ~700k lots;
 *   `updated_seq` says which lists changed since a reader last looked (see buyer-lists.ts);
 * - `report_facts_state.last_seq`: the last ledger seq summed in; `generation` counts
 *   rebuilds (after which buyer numbers and lists start afresh).
 * `retired` is the face a cancellation or refund takes out of circulation
 * (face − used of its lot, which nothing changes after it).
 */

const UPSERT = 'do update set n = n + excluded.n, amount = amount + excluded.amount, paid = paid + excluded.paid, retired = retired + excluded.retired';
const SUMS = 'sum(n), sum(amount), sum(paid), sum(retired)';

/**
 * A buyer's number `b.no` as the hex of a little-endian uint32: a list is packed, and
 * appended to, in SQLite's own functions (a group's hex joined, then unhex), where a
 * JavaScript aggregate cost a call per purchase, the largest part of the summaries (issue 21).
 */
const U32_HEX = "printf('%02x%02x%02x%02x', b.no & 255, (b.no >> 8) & 255, (b.no >> 16) & 255, (b.no >> 24) & 255)";

/**
 * Uses folded on the server that this console holds only as checkpoints
 * (shared/node/sync/checkpoint-apply.ts): summed as the uses they replace,
 * once, when first seen (`summed`).
 */
const CHECKPOINT_ROWS = `insert into temp.report_page_sums
   select l.district_code, c.round_id, c.hour, l.face, l.payment_method, 'use', sum(c.n), sum(c.amount), 0, 0, null
   from checkpoint_uses c join lots l on l.lot_id = c.lot_id where c.summed = 0 group by 1, 2, 3, 4, 5`;

/**
 * In the caller's transaction, in order. The page's buyers are numbered first;
 * then its events (after the watermark, the one parameter), joined to their
 * lots and buyer numbers, are summed ONCE into their finest cells (every key at
 * once, the Seoul hour worked out once per event, the purchases' buyers packed
 * per cell on the way), and every summary is written from those cells, a few
 * per hour where the events are thousands. Four joins to lots per event, one
 * per summary, cost more than the triggers they replace; four sorts of every
 * event cost a fifth of a catch-up; copying the page's events to a table of
 * their own and grouping them a second time for the buyers, a third of the
 * summaries (issue 21).
 */
const CATCH_UP_STATEMENTS: readonly string[] = [
  `create temp table if not exists report_page_sums (district_code text, round_id text, hour text, face integer, payment_method text, type text,
     n integer, amount integer, paid integer, retired integer, buyers text)`,
  'delete from temp.report_page_sums',
  `insert into report_buyers (buyer_id)
   select l.buyer_id from ledger_events e join lots l on l.lot_id = e.lot_id where e.seq > ? and e.type = 'purchase' on conflict (buyer_id) do nothing`,
  `insert into temp.report_page_sums
   select e.district_code, e.round_id, strftime('%Y-%m-%d %H', e.occurred_at, '+9 hours'), l.face, e.payment_method, e.type, count(*), sum(e.amount),
     sum(case when e.type = 'purchase' then l.paid else 0 end), sum(case when e.type in ('cancel', 'refund') then l.face - l.used else 0 end),
     group_concat(case when e.type = 'purchase' then ${U32_HEX} end, '')
   from ledger_events e join lots l on l.lot_id = e.lot_id left join report_buyers b on e.type = 'purchase' and b.buyer_id = l.buyer_id
   where e.seq > ? group by 1, 2, 3, 4, 5, 6`,
  CHECKPOINT_ROWS,
  // A cell may come twice (its events, and checkpoints' uses): each adds to what the first wrote.
  `insert into report_facts_cell (district_code, round_id, hour, face, payment_method, type, n, amount, paid, retired)
   select district_code, round_id, hour, face, payment_method, type, n, amount, paid, retired from temp.report_page_sums where true
   on conflict (district_code, round_id, hour, face, payment_method, type) ${UPSERT}`,
  `insert into report_facts_day (round_id, day, district_code, payment_method, face, type, n, amount, paid, retired)
   select round_id, substr(hour, 1, 10), district_code, payment_method, face, type, ${SUMS} from temp.report_page_sums where true group by 1, 2, 3, 4, 5, 6
   on conflict (round_id, day, district_code, payment_method, face, type) ${UPSERT}`,
  `insert into report_facts_hour (round_id, hour, district_code, payment_method, type, n, amount, paid, retired)
   select round_id, hour, district_code, payment_method, type, ${SUMS} from temp.report_page_sums where true group by 1, 2, 3, 4, 5
   on conflict (round_id, hour, district_code, payment_method, type) ${UPSERT}`,
  `insert into report_facts_hour_face (round_id, hour, face, payment_method, type, n, amount, paid, retired)
   select round_id, hour, face, payment_method, type, ${SUMS} from temp.report_page_sums where true group by 1, 2, 3, 4, 5
   on conflict (round_id, hour, face, payment_method, type) ${UPSERT}`,
  // Only the events' purchase cells hold buyers, one row a cell.
  `insert into report_buyer_cells (round_id, hour, district_code, payment_method, face, buyers, updated_seq)
   select round_id, hour, district_code, payment_method, face, unhex(buyers), (select max(seq) from ledger_events)
   from temp.report_page_sums where type = 'purchase' and buyers is not null
   on conflict (round_id, hour, district_code, payment_method, face) do update set buyers = unhex(hex(buyers) || hex(excluded.buyers)), updated_seq = excluded.updated_seq`,
  'delete from temp.report_page_sums',
];

export const SUMMARY_TABLES = ['report_facts_day', 'report_facts_hour', 'report_facts_hour_face', 'report_facts_cell', 'report_buyer_cells', 'report_buyers'] as const;

const hasTable = (sqlite: BetterSqlite3.Database, name: string): boolean => statement(sqlite, 'select 1 from sqlite_master where name = ?').get(name) !== undefined;

/** A ledger before migration 0038 has no checkpoints. */
const hasCheckpointUses = (sqlite: BetterSqlite3.Database): boolean => hasTable(sqlite, 'checkpoint_uses');

/** A ledger not yet migrated to 0013 (tests of older migrations) has no summaries to keep. */
const hasSummaries = (sqlite: BetterSqlite3.Database): boolean => hasTable(sqlite, 'report_facts_state');

/**
 * Each connection's statements of the catch-up, prepared when first run (a temporary
 * table's cannot be before the table exists): preparing them all again for every slice
 * was 1.3-1.5 % of a steady sync's CPU (issue 21).
 */
const prepared = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

function statement(sqlite: BetterSqlite3.Database, text: string): BetterSqlite3.Statement {
  // Keyed by the connection, not the ledger handle: a handle whose file was replaced reads through a new one.
  const connection = connectionOf(sqlite);
  let held = prepared.get(connection);
  if (!held) prepared.set(connection, (held = new Map()));
  let st = held.get(text);
  if (!st) held.set(text, (st = sqlite.prepare(text)));
  return st;
}

/** Sums every event after the watermark into the summaries; call inside the transaction that wrote them. */
export function catchUpReportFacts(sqlite: BetterSqlite3.Database): void {
  if (!hasSummaries(sqlite)) return;
  const from = statement(sqlite, 'select last_seq from report_facts_state where id = 1').pluck().get() as number | undefined;
  if (from === undefined) return;
  const head = statement(sqlite, 'select coalesce(max(seq), 0) from ledger_events').pluck().get() as number;
  const checkpoints = hasCheckpointUses(sqlite) && statement(sqlite, 'select 1 from checkpoint_uses where summed = 0 limit 1').get() !== undefined;
  if (head <= from && !checkpoints) return;
  for (const text of CATCH_UP_STATEMENTS) {
    if (text === CHECKPOINT_ROWS && !checkpoints) continue;
    const stmt = statement(sqlite, text);
    if (text.includes('?')) stmt.run(from);
    else stmt.run();
  }
  if (checkpoints) statement(sqlite, 'update checkpoint_uses set summed = 1 where summed = 0').run();
  statement(sqlite, 'update report_facts_state set last_seq = ? where id = 1').run(Math.max(head, from));
}

/** Empties the summaries and sums the whole ledger again (after a repair cuts the log back). */
export function rebuildReportFacts(sqlite: BetterSqlite3.Database): void {
  if (!hasSummaries(sqlite)) return;
  for (const t of SUMMARY_TABLES) sqlite.prepare(`delete from ${t}`).run();
  sqlite.prepare('update report_facts_state set last_seq = 0, generation = generation + 1 where id = 1').run();
  if (hasCheckpointUses(sqlite)) sqlite.prepare('update checkpoint_uses set summed = 0').run();
  catchUpReportFacts(sqlite);
}

/** Reads a packed buyer list. */
export function forEachBuyer(list: Uint8Array, fn: (no: number) => void): void {
  const view = new DataView(list.buffer, list.byteOffset, list.byteLength);
  for (let i = 0; i < list.byteLength; i += 4) fn(view.getUint32(i, true));
}

/** After a snapshot took the ledger's place: its summaries are another generation than any buyer list read before. */
export function renumberReportGeneration(sqlite: BetterSqlite3.Database): void {
  if (!hasSummaries(sqlite)) return;
  const generation = sqlite.prepare('select generation from report_facts_state where id = 1').pluck().get() as number;
  sqlite.prepare('update report_facts_state set generation = ? where id = 1').run(generationAbove(generation));
}

/** The summaries' place in every sync: caught up with each applied page, rebuilt after a repair, in the same transaction; renumbered after a snapshot. */
export const reportFactsHook: LedgerWriteHook = { afterPage: catchUpReportFacts, afterCut: rebuildReportFacts, afterInstall: renumberReportGeneration };
