import type BetterSqlite3 from 'better-sqlite3';
import { payKey } from './pay-keys.js';

/**
 * SQL functions bound on every connection: `pay_key(provider, tid)`, the
 * payment-key hash (pay-keys.ts), for the fills of migration 0044 and 0045's rollback. (The buyer lists'
 * blobs, which `u32_pack` and `u32_cat` built in JavaScript, are built in SQL since issue 21.)
 */
export function bindBlobFunctions(sqlite: BetterSqlite3.Database): void {
  sqlite.function('pay_key', { deterministic: true }, (provider: unknown, tid: unknown) => payKey(String(provider), String(tid)));
}
