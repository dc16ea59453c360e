import type BetterSqlite3 from 'better-sqlite3';

interface Island {
  first: number;
  last: number;
  hash: string;
  /** Rows it is made of; one that is already a single range needs no change. */
  parts: number;
  ranges: number;
}

/**
 * Folds every run of two or more consecutive events held as digests
 * (redacted_events) into one row of redacted_ranges: the run's first and last
 * sequence and the chain hash at its last. Done to a snapshot file once it is
 * built: a clerk's file otherwise spends most of its bytes on one seq, hash
 * and digest per event of every other district (issue 21: 140 of every 190
 * bytes). The chain stays checkable end to end (SyncApplier.firstLocalBreak
 * takes a run's hash as the link the next event must follow from, and the
 * last link must be the signed head). A run that continues one folded before
 * (a refresh on the last file) joins it, so a refreshed file holds the same
 * runs as one built from scratch. Returns the number of rows folded away.
 */
export function foldRedactedRuns(sqlite: BetterSqlite3.Database): number {
  return sqlite.transaction(() => {
    const rows = sqlite
      .prepare('select seq as first, seq as last, hash, 0 as range from redacted_events union all select from_seq, seq, hash, 1 from redacted_ranges order by first')
      .raw()
      .iterate() as IterableIterator<[number, number, string, number]>;
    const islands: Island[] = [];
    let cur: Island | undefined;
    for (const [first, last, hash, range] of rows) {
      if (cur && first === cur.last + 1) {
        cur.last = last;
        cur.hash = hash;
        cur.parts++;
        cur.ranges += range;
      } else {
        if (cur) islands.push(cur);
        cur = { first, last, hash, parts: 1, ranges: range };
      }
    }
    if (cur) islands.push(cur);
    const changed = islands.filter((i) => i.last > i.first && !(i.parts === 1 && i.ranges === 1));
    if (changed.length === 0) return 0;
    // The rows folded go (the repair flag lets the append-only guards allow it, inside this transaction only).
    sqlite.prepare('insert into sync_repair (id) values (1)').run();
    const dropEvents = sqlite.prepare('delete from redacted_events where seq between ? and ?');
    const dropRanges = sqlite.prepare('delete from redacted_ranges where seq between ? and ?');
    const add = sqlite.prepare('insert into redacted_ranges (seq, from_seq, hash) values (?, ?, ?)');
    let folded = 0;
    for (const i of changed) {
      folded += dropEvents.run(i.first, i.last).changes + dropRanges.run(i.first, i.last).changes;
      add.run(i.last, i.first, i.hash);
    }
    sqlite.prepare('delete from sync_repair').run();
    return folded;
  })();
}
