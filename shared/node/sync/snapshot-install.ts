import BetterSqlite3 from 'better-sqlite3';
import { replaceLedgerFile } from '../db/open.js';
import type { ChainPoint } from './apply.js';
import { SNAPSHOT_TABLES, STATE_ROWS } from './snapshot-tables.js';

/**
 * The console's own tables: written by this console alone, never by the log,
 * so a snapshot holds none of them (only what its migrations seed). Before a
 * snapshot file becomes the ledger they are carried into it from the ledger.
 * Every table of the schema is in exactly one of these lists or
 * SNAPSHOT_TABLES / STATE_ROWS (tests/unit/snapshot-install.test.ts reads
 * the schema), so a new table cannot be forgotten in the swap.
 */
export const OWN_TABLES = [
  'audit_log',
  'calibrations',
  'connection_wraps',
  'console_identity',
  'counter_closings',
  'counter_requests',
  'counter_settings',
  'outbox',
  'reconcile_adjustments',
  'reconcile_day_log',
  'reconcile_days',
  'reconcile_exceptions',
  'saved_reports',
  'server_tokens',
  'settlement_imports',
  'settlement_profiles',
  'settlement_rows',
  'sim_presets',
  'simulation_runs',
  'users',
] as const;

/** Tables equal in both files because the schema is (the manifest's schema is checked first): the snapshot's are kept. */
export const SCHEMA_TABLES = ['kysely_migration', 'kysely_migration_lock'] as const;

/** Scratch tables, empty at rest (bulk-index bookkeeping, the repair flag) and SQLite's own counter, carried per own table below. */
export const SCRATCH_TABLES = ['deferred_indexes', 'sync_repair', 'sqlite_sequence'] as const;

/** The one row that is half log, half console: the cursor comes from the snapshot, the connection (server, account, key) from the ledger. */
export const MIXED_TABLES = ['sync_state'] as const;
const SNAPSHOT_CURSOR = ['last_seq', 'last_hash', 'head_seq', 'chain_status', 'mismatch_seq'];

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Every table the schema of `sqlite` has (its main database). */
export function schemaTables(sqlite: BetterSqlite3.Database): string[] {
  return sqlite.prepare("select name from sqlite_master where type = 'table' order by name").pluck().all() as string[];
}

/**
 * Writes the ledger's own tables and its connection into the verified
 * snapshot file `swapFile`, attached to the ledger's own connection (a second
 * connection to the ledger would hold a descriptor SQLite keeps until this one
 * unlocks, and then the journal switch of the swap is refused), in one
 * transaction. Append-only guards (triggers) of the snapshot's copies are set
 * aside for the replacement and put back. A table of the ledger that no list
 * names stops the install: better no snapshot than a console that lost one of
 * its own tables.
 */
export function carryOwnTables(sqlite: BetterSqlite3.Database, swapFile: string): void {
  const known = new Set<string>([...SNAPSHOT_TABLES, ...STATE_ROWS, ...OWN_TABLES, ...SCHEMA_TABLES, ...SCRATCH_TABLES, ...MIXED_TABLES]);
  const unknown = schemaTables(sqlite).filter((t) => !known.has(t));
  if (unknown.length > 0) throw new Error(`the ledger has tables no snapshot list names: ${unknown.join(', ')}`);
  sqlite.prepare('attach database ? as swap').run(swapFile);
  try {
    const columns = (t: string) => sqlite.prepare(`select name from pragma_table_info(?, 'main')`).pluck().all(t) as string[];
    sqlite.transaction(() => {
      // Rows go in table by table, so a reference may point ahead of its row until the end; checked whole below.
      sqlite.pragma('defer_foreign_keys = ON');
      for (const t of OWN_TABLES) {
        const triggers = sqlite.prepare("select name, sql from swap.sqlite_master where type = 'trigger' and tbl_name = ?").all(t) as { name: string; sql: string }[];
        for (const g of triggers) sqlite.exec(`drop trigger swap.${quote(g.name)}`);
        const cols = columns(t).map(quote).join(', ');
        sqlite.exec(`delete from swap.${quote(t)}`);
        sqlite.exec(`insert into swap.${quote(t)} (${cols}) select ${cols} from main.${quote(t)}`);
        for (const g of triggers) sqlite.exec(g.sql.replace(/^CREATE TRIGGER (IF NOT EXISTS )?/i, (m) => `${m}swap.`));
      }
      const own = OWN_TABLES.map(() => '?').join(', ');
      sqlite.prepare(`delete from swap.sqlite_sequence where name in (${own})`).run(...OWN_TABLES);
      sqlite.prepare(`insert into swap.sqlite_sequence (name, seq) select name, seq from main.sqlite_sequence where name in (${own})`).run(...OWN_TABLES);
      const connection = columns('sync_state').filter((c) => c !== 'id' && !SNAPSHOT_CURSOR.includes(c));
      sqlite.exec(
        `update swap.sync_state set ${connection.map((c) => `${quote(c)} = (select ${quote(c)} from main.sync_state where id = 1)`).join(', ')},
           head_seq = max(head_seq, (select head_seq from main.sync_state where id = 1)), chain_status = 'unchecked', mismatch_seq = null where id = 1`,
      );
      const broken = sqlite.pragma('swap.foreign_key_check') as { table: string; parent: string }[];
      if (broken.length > 0) throw new Error(`the console's own rows do not fit the snapshot: ${broken.slice(0, 5).map((b) => `${b.table} → ${b.parent}`).join(', ')}`);
    })();
  } finally {
    sqlite.exec('detach database swap');
  }
}

/**
 * Makes the prepared snapshot file `swapFile` the ledger: by rename when the
 * ledger's handle can take a new file (replaceLedgerFile: no page is written
 * again, where the copy below wrote the whole file a second time, 8.8 of a
 * first sync's 31 s at 1M events), else by the page copy of swapIn (a second
 * connection on the ledger, a plain connection). Either way a kill -9 leaves
 * the old state or the new one. The ledger's statements prepared before the
 * rename are of a closed connection: the sync service makes its applier again.
 */
export async function installSnapshotFile(sqlite: BetterSqlite3.Database, swapFile: string): Promise<{ point: ChainPoint; renamed: boolean }> {
  if (replaceLedgerFile(sqlite, swapFile)) return { point: cursorOf(sqlite), renamed: true };
  return { point: await swapIn(sqlite, swapFile), renamed: false };
}

const cursorOf = (sqlite: BetterSqlite3.Database): ChainPoint =>
  sqlite.prepare('select last_seq as seq, last_hash as hash from sync_state where id = 1').get() as ChainPoint;

/**
 * Makes the prepared snapshot file the ledger's content in place: SQLite's
 * online backup copies its pages into the open ledger in ONE write
 * transaction (no row or index entry is inserted again, which was most of a
 * replay's cost). The ledger is put in rollback-journal mode for the copy, so
 * the pages go once into the file and a kill -9 part-way leaves a hot journal
 * that rolls the file back to its old (empty) state at the next open; then it
 * goes back to WAL. The ledger's connection stays open (Kysely, the cached
 * statements and the functions bound to it stay valid; SQLite re-prepares
 * statements on the new schema cookie by itself).
 */
export async function swapIn(sqlite: BetterSqlite3.Database, swapFile: string): Promise<ChainPoint> {
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  try {
    sqlite.pragma('journal_mode = DELETE');
  } catch (e) {
    // Another connection has the ledger open: the copy goes through the WAL instead (written twice, as atomic).
    if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
  }
  const source = new BetterSqlite3(swapFile, { readonly: true, fileMustExist: true });
  try {
    // After the first step of 100 pages, the rest in one step: the copy is one transaction either way.
    await source.backup(sqlite.name, { progress: () => 1 << 30 });
  } finally {
    source.close();
    sqlite.pragma('journal_mode = WAL');
  }
  return cursorOf(sqlite);
}
