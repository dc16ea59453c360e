import type BetterSqlite3 from 'better-sqlite3';
import { payKey } from './pay-keys.js';

/**
 * SQL functions bound on every connection, for statements that keep lists of
 * numbers in blobs (the report summaries' buyer lists): `u32_pack(n)` packs a group's numbers,
 * `u32_cat(a, b)` appends one list to another (SQLite's `||` would turn blobs into text).
 * Also `pay_key(provider, tid)`, the payment-key hash (pay-keys.ts), for migration 0044's fill.
 */
export function bindBlobFunctions(sqlite: BetterSqlite3.Database): void {
  sqlite.aggregate('u32_pack', {
    start: () => [] as number[],
    step: (acc: number[], n: unknown) => {
      acc.push(Number(n));
      return acc;
    },
    result: (acc: number[]) => {
      const out = Buffer.allocUnsafe(acc.length * 4);
      acc.forEach((n, i) => out.writeUInt32LE(n, i * 4));
      return out;
    },
  });
  sqlite.function('u32_cat', { deterministic: true }, (a: unknown, b: unknown) => Buffer.concat([a as Buffer, b as Buffer]));
  sqlite.function('pay_key', { deterministic: true }, (provider: unknown, tid: unknown) => payKey(String(provider), String(tid)));
}
