import type BetterSqlite3 from 'better-sqlite3';
import { DISTRICTS } from '../../common/districts.js';
import { LedgerIndex } from '../../reconcile/ledger-index.js';
import { PAY_KEY_MATCH, payKeyArgs } from '../db/pay-keys.js';

/**
 * The record's payments through one provider approved in [fromMs, toMs), read
 * from the covering (provider, approval time, …) index straight into a columnar
 * `LedgerIndex`: a day of a large sale is a million rows. better-sqlite3 makes a
 * JS value per column per row, a string costing most, so the query hands back the
 * key as the one string and packs the rest into one integer in SQLite: the
 * approval instant as ms after `fromMs` (ISO text → julianday, exact to the ms),
 * the district as its index among the range's districts, and the kind. Event ids
 * are left out (a million strings); `eventDetails` finds them for the exceptions.
 */
export function loadLedgerIndex(sqlite: BetterSqlite3.Database, provider: string, fromMs: number, toMs: number): LedgerIndex {
  const range = [provider, new Date(fromMs).toISOString(), new Date(toMs).toISOString()] as const;
  const from = `from ledger_events indexed by ledger_events_pay_time where pay_provider = ? and pay_tid is not null and pay_approved_at >= ? and pay_approved_at < ?`;
  // Counted first (one pass over the index, no sort), so the columns and the key buffer are allocated once at their size.
  const [n, keyBytes] = sqlite.prepare(`select count(*), coalesce(sum(length(pay_tid)), 0) ${from}`).raw().get(...range) as [number, number];
  const ix = new LedgerIndex(n, keyBytes);
  // Instants as ms after a day before the range, so an offset is never negative (and packs below 2^53).
  const base = fromMs - 86_400_000;
  // The city's districts by their index; a code outside the list (254) is looked up afterwards by key, none (null) is 255.
  const districts = DISTRICTS.map((d) => d.code);
  const district = `case when district_code is null then 255 ${districts.map((_, i) => `when district_code = ? then ${i}`).join(' ')} else 254 end`;
  const packed = `(cast(round((julianday(pay_approved_at) - 2440587.5) * 86400000) as integer) - ?) * 512 + (${district}) * 2 + (type = 'purchase')`;
  // Positional parameters in the order they appear: the base, the districts, then the range.
  const rows = sqlite
    .prepare(`select pay_tid, ${packed}, pay_amount ${from}`)
    .raw()
    .iterate(base, ...districts, ...range) as IterableIterator<[string, number, number]>;
  const other: number[] = [];
  for (const [tid, p, amount] of rows) {
    const d = Math.floor(p / 2) % 256;
    const i = ix.push(p % 2 === 1 ? 'approval' : 'cancel', tid, base + Math.floor(p / 512), amount, d >= 254 ? null : districts[d]!);
    if (d === 254) other.push(i);
  }
  if (other.length > 0) {
    const st = sqlite.prepare(`select e.district_code from ${PAY_KEY_MATCH}`).pluck();
    for (const i of other) ix.setDistrict(i, st.get(...payKeyArgs(provider, ix.tidOf(i))) as string);
  }
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
  const st = sqlite.prepare(`select e.event_id from ${PAY_KEY_MATCH}`).pluck();
  for (const e of exceptions) if (e.ledgerTid && !e.eventId) e.eventId = (st.get(...payKeyArgs(provider, e.ledgerTid)) as string | undefined) ?? null;
}

/** Whether a key is anywhere in the record (a cancellation's original may be from any earlier day). */
export function tidLookup(sqlite: BetterSqlite3.Database, provider: string): (tid: string) => boolean {
  const st = sqlite.prepare(`select 1 from ${PAY_KEY_MATCH} limit 1`).pluck();
  return (tid) => st.get(...payKeyArgs(provider, tid)) !== undefined;
}
