import type BetterSqlite3 from 'better-sqlite3';
import type { LedgerTx } from '../../reconcile/match.js';

/**
 * The record's payments through one provider approved in [fromMs, toMs), read
 * from the covering (provider, approval time, …) index without an object per
 * row from the query builder: a day of a large sale is a million rows. Event ids
 * are left out (a million strings); `eventDetails` finds them for the exceptions.
 */
export function loadLedgerTxs(sqlite: BetterSqlite3.Database, provider: string, fromMs: number, toMs: number): LedgerTx[] {
  const rows = sqlite
    .prepare(
      `select type, pay_tid, pay_original_tid, pay_approved_at, pay_amount, district_code from ledger_events indexed by ledger_events_pay_time
       where pay_provider = ? and pay_tid is not null and pay_approved_at >= ? and pay_approved_at < ?`,
    )
    .raw()
    .iterate(provider, new Date(fromMs).toISOString(), new Date(toMs).toISOString()) as IterableIterator<[string, string, string | null, string, number, string]>;
  const out: LedgerTx[] = [];
  // 25 districts: one string each rather than one per row.
  const districts = new Map<string, string>();
  for (const [type, tid, originalTid, at, amount, d] of rows) {
    let districtCode = districts.get(d);
    if (districtCode === undefined) districts.set(d, (districtCode = d));
    out.push({ eventId: '', kind: type === 'purchase' ? 'approval' : 'cancel', tid, originalTid, approvedMs: Date.parse(at), amount, districtCode });
  }
  return out;
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
