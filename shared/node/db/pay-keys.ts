import type BetterSqlite3 from 'better-sqlite3';
import { fnv1a } from '../../common/fnv.js';

/**
 * The key under which a payment reference is found in `pay_keys` (migration
 * 0044): a 32-bit hash of provider and transaction key, signed so SQLite stores
 * it in four bytes. The references are random strings, so an index on them took
 * every leaf of a long B-tree into each commit (most of the bytes a steady sync
 * wrote, issue 21); a cell of two small integers makes that tree about a third
 * as long. Different references may share a key: every lookup checks the
 * event's own provider and key after it (PAY_KEY_MATCH).
 */
export function payKey(provider: string, tid: string): number {
  return fnv1a(`${provider}\u0000${tid}`) | 0;
}

/**
 * The ledger events with one payment reference: by `pay_keys`, and among the
 * events after its mark (pay_keys_state, migration 0045: a page the applier is
 * still writing, whose keys go in at its end) by their own columns, a short
 * range of the primary key (NOT INDEXED: by the provider's approval-time index the
 * planner would read all of the provider's events); then each event by its primary key, checked (CROSS
 * JOIN keeps that order: the planner could otherwise walk the provider's whole
 * approval-time index). Parameters: `payKeyArgs`.
 */
export const PAY_KEY_MATCH = `(select seq from pay_keys where key = ?
    union select seq from ledger_events not indexed where seq > (select last_seq from pay_keys_state where id = 1) and pay_provider = ? and pay_tid = ?) k
  cross join ledger_events e on e.seq = k.seq where e.pay_provider = ? and e.pay_tid = ?`;

/** The parameters of PAY_KEY_MATCH for one reference. */
export function payKeyArgs(provider: string, tid: string): [number, string, string, string, string] {
  return [payKey(provider, tid), provider, tid, provider, tid];
}

/** How many keys one statement of `insertMany` writes (PAY_KEYS_AT_ONCE rows of `insert`'s two values). */
export const PAY_KEYS_AT_ONCE = 100;

/** `insert` (a statement of one `(?, ?)` row) with PAY_KEYS_AT_ONCE rows. */
export function manyRows(insert: string): string {
  return insert.replace('values (?, ?)', `values ${Array<string>(PAY_KEYS_AT_ONCE).fill('(?, ?)').join(', ')}`);
}

/**
 * Writes keys (`[key, seq]` pairs, reordered in place) in key order, so the
 * inserts walk the table's B-tree once from left to right instead of jumping about it;
 * a hundred at a time by `insertMany` when given (a statement per key cost a third
 * more: 1.5 against 1.1 µs a key, issue 21), the rest one by one.
 */
export function insertPayKeys(insert: BetterSqlite3.Statement, keys: [number, number][], insertMany?: BetterSqlite3.Statement): void {
  keys.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let i = 0;
  if (insertMany) {
    const args = new Array<number>(2 * PAY_KEYS_AT_ONCE);
    for (; i + PAY_KEYS_AT_ONCE <= keys.length; i += PAY_KEYS_AT_ONCE) {
      for (let j = 0; j < PAY_KEYS_AT_ONCE; j++) {
        args[2 * j] = keys[i + j]![0];
        args[2 * j + 1] = keys[i + j]![1];
      }
      insertMany.run(args);
    }
  }
  for (; i < keys.length; i++) insert.run(keys[i]![0], keys[i]![1]);
}

export const INSERT_PAY_KEY = 'insert into pay_keys (key, seq) values (?, ?)';
const INSERT_OR_IGNORE = 'insert or ignore into pay_keys (key, seq) values (?, ?)';

/**
 * The sync applier's payment keys: gathered while a page's slices are applied
 * and written together in key order in its last slice's transaction, with the
 * mark (pay_keys_state) moved to that slice's end. Each slice's commit wrote
 * the keys of its own events, which fall all over the hash-ordered table: a
 * thousand-event slice rewrote nearly every leaf of it (issue 21). What a slice
 * gathered is kept only once that slice commits. After a stop mid-page, or a
 * repair's cut, the keys after the mark are gathered again from the log.
 * A ledger before 0045 (migration tests) writes each slice's keys, as it did;
 * before 0044 it has no pay_keys: nothing is written.
 */
export class PayKeyWriter {
  private readonly keys: [number, number][] = [];
  /** How many of `keys` are of slices committed. */
  private kept = 0;
  /** Whether the keys after the mark have been gathered from the log since this writer (or a cut) began. */
  private resumed = false;
  private written = false;
  private st: { insert: BetterSqlite3.Statement; insertMany: BetterSqlite3.Statement; mark: BetterSqlite3.Statement | null; setMark: BetterSqlite3.Statement | null; after: BetterSqlite3.Statement | null } | null | undefined;

  constructor(private readonly sqlite: BetterSqlite3.Database) {}

  /** Before a slice's transaction: first gathers from the log the keys a stop mid-page (or a cut) left unwritten after the mark. */
  begin(): void {
    const st = this.statements();
    if (st?.mark && !this.resumed) {
      this.keys.length = 0;
      for (const [provider, tid, seq] of st.after!.raw().iterate(st.mark.get()) as IterableIterator<[string, string, number]>) this.add(provider, tid, seq);
      this.resumed = true;
    }
    this.written = false;
    this.kept = this.keys.length;
  }

  add(provider: string, tid: string, seq: number): void {
    this.keys.push([payKey(provider, tid), seq]);
  }

  /** Inside the slice's transaction, at its end (`lastSeq`): writes what is held when the page ends there. */
  write(lastSeq: number, endOfPage: boolean): void {
    const st = this.statements();
    if (!st) return void (this.keys.length = 0);
    if (st.mark && !endOfPage) return;
    if (this.keys.length > 0) insertPayKeys(st.insert, this.keys, st.insertMany);
    st.setMark?.run(lastSeq);
    this.written = true;
  }

  /** After the slice's transaction committed. */
  committed(): void {
    if (this.written) this.keys.length = 0;
    this.kept = this.keys.length;
  }

  /** After it rolled back: what the slice gathered goes, what earlier slices gathered stays. */
  rolledBack(): void {
    this.keys.length = this.kept;
    this.written = false;
  }

  /** A repair's cut. Keyed by hash first, so a scan, but of small rows, and a repair is rare. */
  cutFrom(fromSeq: number): void {
    const st = this.statements();
    if (!st) return;
    this.sqlite.prepare('delete from pay_keys where seq >= ?').run(fromSeq);
    st.setMark?.run(Math.min(fromSeq - 1, (st.mark?.get() as number | undefined) ?? 0));
    // Gathered again from the log after the mark, of the events the cut left.
    this.keys.length = 0;
    this.kept = 0;
    this.resumed = false;
  }

  private statements() {
    if (this.st === undefined) {
      const has = (name: string) => this.sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(name) !== undefined;
      const marked = has('pay_keys_state');
      this.st = !has('pay_keys')
        ? null
        : {
            // A key a test's LedgerStore wrote after the mark is gathered again after a stop: once is enough.
            insert: this.sqlite.prepare(INSERT_OR_IGNORE),
            insertMany: this.sqlite.prepare(manyRows(INSERT_OR_IGNORE)),
            mark: marked ? this.sqlite.prepare('select last_seq from pay_keys_state where id = 1').pluck() : null,
            setMark: marked ? this.sqlite.prepare('update pay_keys_state set last_seq = ? where id = 1') : null,
            after: marked ? this.sqlite.prepare('select pay_provider, pay_tid, seq from ledger_events where seq > ? and pay_tid is not null order by seq') : null,
          };
    }
    return this.st;
  }
}
