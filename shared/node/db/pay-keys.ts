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
 * The ledger events with one payment reference, by `pay_keys` then each
 * event's primary key (CROSS JOIN keeps that order: the planner could otherwise
 * walk the provider's whole approval-time index). Parameters: `payKeyArgs`.
 */
export const PAY_KEY_MATCH = 'pay_keys k cross join ledger_events e on e.seq = k.seq where k.key = ? and e.pay_provider = ? and e.pay_tid = ?';

/** The parameters of PAY_KEY_MATCH for one reference. */
export function payKeyArgs(provider: string, tid: string): [number, string, string] {
  return [payKey(provider, tid), provider, tid];
}

/**
 * Writes the keys of one transaction's events (`[key, seq]` pairs, reordered
 * in place) in key order, so the inserts walk the table's B-tree once from
 * left to right instead of jumping about it.
 */
export function insertPayKeys(insert: BetterSqlite3.Statement, keys: [number, number][]): void {
  keys.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (const [key, seq] of keys) insert.run(key, seq);
}

export const INSERT_PAY_KEY = 'insert into pay_keys (key, seq) values (?, ?)';

/**
 * A page's payment keys, gathered while its events are applied and written
 * together in key order before it commits. A ledger at a schema before 0044
 * (migration tests) has no pay_keys and keeps its old index: nothing is written.
 */
export class PayKeyWriter {
  private readonly keys: [number, number][] = [];
  private insert: BetterSqlite3.Statement | null | undefined;

  constructor(private readonly sqlite: BetterSqlite3.Database) {}

  add(provider: string, tid: string, seq: number): void {
    this.keys.push([payKey(provider, tid), seq]);
  }

  /** Forgets what was gathered: a page that failed wrote nothing. */
  clear(): void {
    this.keys.length = 0;
  }

  flush(): void {
    if (this.keys.length === 0) return;
    if (this.insert === undefined) this.insert = this.hasTable() ? this.sqlite.prepare(INSERT_PAY_KEY) : null;
    if (this.insert) insertPayKeys(this.insert, this.keys);
    this.keys.length = 0;
  }

  /** A repair's cut. Keyed by hash first, so a scan, but of small rows, and a repair is rare. */
  cutFrom(fromSeq: number): void {
    if (this.hasTable()) this.sqlite.prepare('delete from pay_keys where seq >= ?').run(fromSeq);
  }

  private hasTable(): boolean {
    return this.sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = 'pay_keys'").get() !== undefined;
  }
}
