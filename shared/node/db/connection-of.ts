import type BetterSqlite3 from 'better-sqlite3';

/** The property through which a ledger handle (open.ts) names the connection it reads through now. */
export const CURRENT = Symbol('the connection a ledger handle reads through now');

/**
 * The connection `sqlite` reads through now: itself, or for a ledger handle
 * (openDatabase) the one on its file since the last replaceLedgerFile. What
 * is prepared on a connection is valid for that one only, so a cache of
 * statements is keyed by this, not by the handle.
 */
export function connectionOf(sqlite: BetterSqlite3.Database): BetterSqlite3.Database {
  return (sqlite as unknown as Record<symbol, BetterSqlite3.Database | undefined>)[CURRENT] ?? sqlite;
}
