import type BetterSqlite3 from 'better-sqlite3';
import type { LedgerTx } from '../../reconcile/match.js';

/**
 * The record's payments through one provider approved in [fromMs, toMs), read
 * by the (provider, approval time) index without an object per row from the
 * query builder: a day of a large sale is a million rows.
 */
export function loadLedgerTxs(sqlite: BetterSqlite3.Database, provider: string, fromMs: number, toMs: number): LedgerTx[] {
  const rows = sqlite
    .prepare(
      `select event_id, type, pay_tid, pay_original_tid, pay_approved_at, pay_amount, district_code from ledger_events
       where pay_provider = ? and pay_tid is not null and pay_approved_at >= ? and pay_approved_at < ?`,
    )
    .raw()
    .iterate(provider, new Date(fromMs).toISOString(), new Date(toMs).toISOString()) as IterableIterator<[string, string, string, string | null, string, number, string]>;
  const out: LedgerTx[] = [];
  for (const [eventId, type, tid, originalTid, at, amount, districtCode] of rows) {
    out.push({ eventId, kind: type === 'purchase' ? 'approval' : 'cancel', tid, originalTid, approvedMs: Date.parse(at), amount, districtCode });
  }
  return out;
}

/** Whether a key is anywhere in the record (a cancellation's original may be from any earlier day). */
export function tidLookup(sqlite: BetterSqlite3.Database, provider: string): (tid: string) => boolean {
  const st = sqlite.prepare('select 1 from ledger_events where pay_provider = ? and pay_tid = ? limit 1').pluck();
  return (tid) => st.get(provider, tid) !== undefined;
}
