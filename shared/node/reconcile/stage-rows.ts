import BetterSqlite3 from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SettlementRow } from '../../reconcile/profile.js';

/**
 * A file's rows on their way to the record, on disk instead of in memory: a
 * million `SettlementRow` objects cost ~300 MB, and writing them into the
 * console's database while the file is still being read would hold its one
 * connection (and every other call) for the whole parse, or leave half a file
 * behind when line 900,000 turns out bad.
 *
 * So rows go, as they are parsed, into a private throw-away SQLite file on
 * its own connection (one transaction, no journal: nothing waits on it), and
 * `copyInto` moves them into `settlement_rows` inside the caller's
 * transaction, one prepared statement per row. Memory stays at SQLite's page
 * cache whatever the file's size. `dispose` removes the file in every case.
 */
export class RowStager {
  readonly file: string;
  private readonly stage: BetterSqlite3.Database;
  private readonly insert: BetterSqlite3.Statement;
  count = 0;

  /** Next to the console's database (the data folder), or the temp folder for an in-memory one. */
  constructor(main: BetterSqlite3.Database) {
    const dir = main.memory || main.name === '' ? tmpdir() : dirname(main.name);
    this.file = join(dir, `settlement-stage-${randomUUID()}.sqlite`);
    // 0600 before SQLite opens it: the rows are payments.
    closeSync(openSync(this.file, 'wx', 0o600));
    this.stage = new BetterSqlite3(this.file);
    this.stage.pragma('journal_mode = OFF');
    this.stage.pragma('synchronous = OFF');
    this.stage.exec(`create table r (line integer, type text, tid text, original_tid text, approval_no text, approved_ms real,
      amount integer, fee integer, vat integer, net integer, payout_day text)`);
    this.stage.exec('begin');
    this.insert = this.stage.prepare('insert into r values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  }

  add(r: SettlementRow): void {
    this.insert.run(r.line, r.type, r.tid, r.originalTid, r.approvalNo, r.approvedMs, r.amount, r.fee, r.vat, r.net, r.payoutDay);
    this.count++;
  }

  /**
   * Writes the staged rows as `importId`'s into `main`. Call it inside the
   * transaction that records the import: a failure part-way leaves nothing.
   */
  copyInto(main: BetterSqlite3.Database, importId: string): number {
    if (!main.inTransaction) throw new Error('RowStager.copyInto: call inside the import transaction');
    if (this.stage.inTransaction) this.stage.exec('commit');
    const put = main.prepare(
      'insert into settlement_rows (import_id, line, type, tid, original_tid, approval_no, approved_at, amount, fee, vat, net, payout_day) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    let n = 0;
    const rows = this.stage.prepare('select * from r order by rowid').raw().iterate() as IterableIterator<unknown[]>;
    for (const r of rows) {
      put.run(importId, r[0], r[1], r[2], r[3], r[4], new Date(r[5] as number).toISOString(), r[6], r[7], r[8], r[9], r[10]);
      n++;
    }
    return n;
  }

  dispose(): void {
    try {
      if (this.stage.open) this.stage.close();
    } finally {
      rmSync(this.file, { force: true });
    }
  }
}
