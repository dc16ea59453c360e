import type BetterSqlite3 from 'better-sqlite3';
import { deferIndexes, restoreIndexes } from './bulk-indexes.js';

/**
 * The tables a snapshot carries: everything the applier and the ledger-write
 * hooks derive from the log (the events kept in full or as digests, lots and
 * balances, rounds as published, the report summaries and buyer lists).
 * Nothing of the console's own (users, keys, outbox, audit, settings) is in a
 * snapshot, and installing one touches none of it.
 */
export const SNAPSHOT_TABLES = [
  'ledger_events',
  'pay_keys',
  'lots',
  'round_sales',
  'round_publications',
  'round_statuses',
  'redacted_events',
  'redacted_ranges',
  'day_closing_events',
  'server_reconcile_journal',
  'sale_steering_events',
  'rounds',
  'round_versions',
  'report_facts_day',
  'report_facts_hour',
  'report_facts_hour_face',
  'report_facts_cell',
  'report_buyers',
  'report_buyer_cells',
  'use_folds',
  'use_checkpoints',
  'checkpoint_uses',
] as const;

/** Single-row state tables whose row the snapshot's replaces (the summaries' own cursor, the payment keys' mark). */
export const STATE_ROWS = ['report_facts_state', 'pay_keys_state'] as const;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** True when this ledger holds nothing a snapshot would replace: a first sync, or a repair cut back to the start. */
export function ledgerIsEmpty(sqlite: BetterSqlite3.Database): boolean {
  const cursor = sqlite.prepare('select last_seq from sync_state where id = 1').pluck().get() as number;
  return cursor === 0 && SNAPSHOT_TABLES.every((t) => sqlite.prepare(`select 1 from ${quote(t)} limit 1`).get() === undefined);
}

/**
 * Copies the attached snapshot `schema` into the ledger in ONE transaction
 * with the cursor, so a stop at any point leaves the old state or the new one,
 * never half. The secondary indexes of the bulk tables are set aside and built
 * once after the copy (as a large catch-up does), inside the same transaction.
 */
export function copySnapshotTables(sqlite: BetterSqlite3.Database, schema: string): { seq: number; hash: string } {
  return sqlite.transaction(() => {
    deferIndexes(sqlite);
    for (const t of SNAPSHOT_TABLES) {
      const cols = (sqlite.prepare(`select name from pragma_table_info(?, 'main')`).pluck().all(t) as string[]).map(quote).join(', ');
      sqlite.exec(`insert into main.${quote(t)} (${cols}) select ${cols} from ${quote(schema)}.${quote(t)}`);
    }
    for (const t of STATE_ROWS) {
      const cols = (sqlite.prepare(`select name from pragma_table_info(?, 'main')`).pluck().all(t) as string[]).map(quote).join(', ');
      sqlite.exec(`delete from main.${quote(t)}`);
      sqlite.exec(`insert into main.${quote(t)} (${cols}) select ${cols} from ${quote(schema)}.${quote(t)}`);
    }
    restoreIndexes(sqlite);
    const c = sqlite.prepare(`select last_seq as seq, last_hash as hash from ${quote(schema)}.sync_state where id = 1`).get() as { seq: number; hash: string };
    sqlite.prepare("update sync_state set last_seq = ?, last_hash = ?, head_seq = max(head_seq, ?), chain_status = 'unchecked', mismatch_seq = null where id = 1").run(c.seq, c.hash, c.seq);
    return c;
  })();
}
