import type BetterSqlite3 from 'better-sqlite3';
import { calendarDaysSpanned } from '../../reconcile/days.js';
import { SettlementMatcher, type MatchResult } from '../../reconcile/match.js';
import type { SettlementProfile } from '../../reconcile/profile.js';
import { eventDetails, loadLedgerIndex, tidLookup } from './ledger-source.js';
import { parseSettlement, type DetectedEncoding, type ParseOptions } from './parse.js';
import type { RowStager } from './stage-rows.js';

const DAY_MS = 86_400_000;

export interface Analysis {
  result: MatchResult;
  encoding: DetectedEncoding;
  ledgerRows: number;
  /** Milliseconds spent reading the ledger index from SQLite (part of the whole). */
  ledgerMs: number;
  /**
   * Where the time went, in ms, when `timed` was asked (a clock read per row costs
   * about 0.1 s a million): parse (decode, split, read) and match (reading the
   * ledger, pass 1, pass 2) and classify (the record's side, event ids).
   */
  phases: { parseMs: number; matchMs: number; classifyMs: number } | null;
}

/**
 * Parses a settlement file and matches it against the record, writing nothing.
 * The ledger is read once the first row names the file's day: the provider's
 * payments from the window before it to the window after, with a
 * margin each side as wide as the business-day window spans in calendar days.
 */
export async function analyseSettlement(
  sqlite: BetterSqlite3.Database,
  profile: SettlementProfile,
  bytes: Uint8Array,
  /** `stage`: where each parsed row goes when the file is to be recorded (on disk, not kept in memory). */
  o: ParseOptions & { windowBusinessDays?: number; stage?: RowStager; timed?: boolean },
): Promise<Analysis> {
  const window = o.windowBusinessDays ?? 1;
  let matcher: SettlementMatcher | null = null;
  let ledgerRows = 0;
  let ledgerMs = 0;
  const stage = o.stage;
  let addMs = 0;
  const t0 = performance.now();
  const parsed = await parseSettlement(
    bytes,
    profile,
    (row) => {
      if (!matcher) {
        const dayStart = Date.parse(`${row.approvedDay}T00:00:00+09:00`);
        // Wide enough for the business-day window across weekends and holidays (a day more for one that falls on a holiday).
        const margin = (calendarDaysSpanned(row.approvedDay, window) + 1) * DAY_MS;
        const t0 = performance.now();
        const ledger = loadLedgerIndex(sqlite, profile.provider, dayStart - margin, dayStart + DAY_MS + margin);
        ledgerRows = ledger.size;
        ledgerMs = performance.now() - t0;
        matcher = new SettlementMatcher(ledger, { payoutLagDays: profile.payoutLagDays, windowBusinessDays: window, knownTid: tidLookup(sqlite, profile.provider) });
      }
      if (o.timed) {
        const a = performance.now();
        matcher.add(row);
        addMs += performance.now() - a;
      } else matcher.add(row);
      stage?.add(row);
    },
    o,
  );
  const streamed = performance.now() - t0;
  const m = (matcher as SettlementMatcher | null)!;
  const result = m.finish();
  const t1 = performance.now();
  eventDetails(sqlite, profile.provider, result.exceptions);
  const detailsMs = performance.now() - t1;
  const phases = o.timed ? { parseMs: streamed - addMs - ledgerMs, matchMs: ledgerMs + addMs + m.timing.pass2Ms, classifyMs: m.timing.classifyMs + detailsMs } : null;
  return { result, encoding: parsed.encoding, ledgerRows, ledgerMs, phases };
}
