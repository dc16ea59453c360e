import type BetterSqlite3 from 'better-sqlite3';
import { LedgerIndex } from '../../reconcile/ledger-index.js';

/**
 * The record's payments through one provider approved in [fromMs, toMs), read
 * from the covering (provider, approval time, …) index straight into a columnar
 * `LedgerIndex`: a day of a large sale is a million rows, and no object per row
 * outlives the statement's raw row. Event ids are left out (a million strings);
 * `eventDetails` finds them for the exceptions.
 */
export function loadLedgerIndex(sqlite: BetterSqlite3.Database, provider: string, fromMs: number, toMs: number): LedgerIndex {
  const range = [provider, new Date(fromMs).toISOString(), new Date(toMs).toISOString()] as const;
  const where = 'where pay_provider = ? and pay_tid is not null and pay_approved_at >= ? and pay_approved_at < ?';
  // Counted first (from the same index), so the columns are allocated once at their size.
  const n = sqlite.prepare(`select count(*) from ledger_events indexed by ledger_events_pay_time ${where}`).pluck().get(...range) as number;
  const ix = new LedgerIndex(n);
  const rows = sqlite
    .prepare(`select type, pay_tid, pay_approved_at, pay_amount, district_code from ledger_events indexed by ledger_events_pay_time ${where}`)
    .raw()
    .iterate(...range) as IterableIterator<[string, string, string, number, string]>;
  for (const [type, tid, at, amount, d] of rows) ix.push(type === 'purchase' ? 'approval' : 'cancel', tid, isoMs(at), amount, d);
  return ix;
}

/** The day parts of the instants seen, by `YYYY-MM-DDTHH` prefix: a million instants fall in a few dozen hours. */
const hourStarts = new Map<string, number>();

/**
 * Milliseconds of an ISO instant as the ledger stores them (`…T01:02:03.456Z`, from
 * toISOString), without a Date.parse per row; anything else goes to Date.parse.
 */
export function isoMs(at: string): number {
  if (at.length !== 24 || at.charCodeAt(23) !== 90 /* Z */ || at.charCodeAt(13) !== 58 || at.charCodeAt(16) !== 58 || at.charCodeAt(19) !== 46) return Date.parse(at);
  const hour = at.slice(0, 13);
  let base = hourStarts.get(hour);
  if (base === undefined) {
    base = Date.parse(`${hour}:00:00.000Z`);
    if (hourStarts.size > 10_000) hourStarts.clear();
    hourStarts.set(hour, base);
  }
  const d = (i: number) => at.charCodeAt(i) - 48;
  const v = base + ((d(14) * 10 + d(15)) * 60 + d(17) * 10 + d(18)) * 1000 + d(20) * 100 + d(21) * 10 + d(22);
  return v;
}

/** Fills in the event ids of the exceptions that name a transaction of the record. */
export function eventDetails(sqlite: BetterSqlite3.Database, provider: string, exceptions: { ledgerTid: string | null; eventId: string | null }[]): void {
  const st = sqlite.prepare('select event_id from ledger_events where pay_provider = ? and pay_tid = ?').pluck();
  for (const e of exceptions) if (e.ledgerTid && !e.eventId) e.eventId = (st.get(provider, e.ledgerTid) as string | undefined) ?? null;
}

/** Whether a key is anywhere in the record (a cancellation's original may be from any earlier day). */
export function tidLookup(sqlite: BetterSqlite3.Database, provider: string): (tid: string) => boolean {
  const st = sqlite.prepare('select 1 from ledger_events where pay_provider = ? and pay_tid = ? limit 1').pluck();
  return (tid) => st.get(provider, tid) !== undefined;
}
