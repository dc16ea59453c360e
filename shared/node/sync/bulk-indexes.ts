import type BetterSqlite3 from 'better-sqlite3';

/** The tables a pull writes row by row; every secondary index on them costs a B-tree insert per event. */
const BULK_TABLES = ['ledger_events', 'lots'];
/**
 * Kept during a catch-up: read by the applier itself (lots_holder: a gift's recipient holding and month
 * received), and by the ledger grid's first page, which the UI keeps answering while the applier's thread
 * writes (ledger_events_round: the round's newest rows and their count; without it each read scanned the
 * whole table, 280 ms at p95 on 200k events, issue 21). A round's events come in sequence order, so that
 * index grows at its end and costs the catch-up little.
 */
const KEPT = ['lots_holder', 'ledger_events_round'];
/** Below this many events a catch-up keeps its indexes: rebuilding them would cost more than it saves. */
export const BULK_MIN_EVENTS = 20_000;

/**
 * A catch-up pays for its indexes twice over: one B-tree insert per event and
 * index, in random order, against one sorted build afterwards. Worth it when
 * the pull at least doubles the log (a first sync, a console off for weeks);
 * a live sale's small pages keep their indexes, since rebuilding them over a
 * long log would cost more than the pages.
 */
export function worthDeferring(sqlite: BetterSqlite3.Database, remaining: number): boolean {
  if (remaining < BULK_MIN_EVENTS) return false;
  const have = sqlite.prepare('select coalesce(max(seq), 0) from ledger_events').pluck().get() as number;
  return remaining >= have;
}

/**
 * Drops the secondary indexes of the bulk tables (not the unique ones: they
 * are rules, nor those the applier reads), recording each one's text in the
 * same transaction, so a stop part-way leaves a record to rebuild from.
 * Returns how many were set aside.
 */
export function deferIndexes(sqlite: BetterSqlite3.Database): number {
  return sqlite.transaction(() => {
    const rows = sqlite
      .prepare(
        `select name, sql from sqlite_master where type = 'index' and sql is not null
           and tbl_name in (${BULK_TABLES.map(() => '?').join(', ')}) and name not in (${KEPT.map(() => '?').join(', ')})`,
      )
      .all(...BULK_TABLES, ...KEPT) as { name: string; sql: string }[];
    const keep = sqlite.prepare('insert into deferred_indexes (name, sql) values (?, ?)');
    let n = 0;
    for (const r of rows) {
      if (/^\s*create\s+unique\s/i.test(r.sql)) continue;
      keep.run(r.name, r.sql);
      sqlite.exec(`drop index "${r.name.replaceAll('"', '""')}"`);
      n++;
    }
    return n;
  })();
}

/** Builds again whatever a catch-up set aside (also at open, after a stop mid catch-up), in one transaction. */
export function restoreIndexes(sqlite: BetterSqlite3.Database): number {
  if (!sqlite.prepare("select 1 from sqlite_master where name = 'deferred_indexes'").get()) return 0;
  return sqlite.transaction(() => {
    const rows = sqlite.prepare('select name, sql from deferred_indexes order by name').all() as { name: string; sql: string }[];
    for (const r of rows) sqlite.exec(r.sql);
    sqlite.prepare('delete from deferred_indexes').run();
    return rows.length;
  })();
}
