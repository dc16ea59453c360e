import type BetterSqlite3 from 'better-sqlite3';
import { SettlementMatcher, type MatchResult } from '../../reconcile/match.js';
import type { SettlementProfile, SettlementRow } from '../../reconcile/profile.js';
import { eventDetails, loadLedgerIndex, tidLookup } from './ledger-source.js';
import { parseSettlement, type DetectedEncoding, type ParseOptions } from './parse.js';

const DAY_MS = 86_400_000;

export interface Analysis {
  result: MatchResult;
  encoding: DetectedEncoding;
  /** The parsed rows, kept only when they are to be recorded. */
  rows: SettlementRow[] | null;
  ledgerRows: number;
  /** Milliseconds spent reading the ledger index from SQLite (part of the whole). */
  ledgerMs: number;
}

/**
 * Parses a settlement file and matches it against the record, writing nothing.
 * The ledger is read once the first row names the file's day: the provider's
 * payments from the window before it to the window after, with a weekend of
 * margin each side (a business-day window spans one).
 */
export async function analyseSettlement(
  sqlite: BetterSqlite3.Database,
  profile: SettlementProfile,
  bytes: Uint8Array,
  o: ParseOptions & { windowBusinessDays?: number; keepRows?: boolean },
): Promise<Analysis> {
  const window = o.windowBusinessDays ?? 1;
  let matcher: SettlementMatcher | null = null;
  let ledgerRows = 0;
  let ledgerMs = 0;
  const kept: SettlementRow[] | null = o.keepRows ? [] : null;
  const parsed = await parseSettlement(
    bytes,
    profile,
    (row) => {
      if (!matcher) {
        const dayStart = Date.parse(`${row.approvedDay}T00:00:00+09:00`);
        const margin = (window + 3) * DAY_MS;
        const t0 = performance.now();
        const ledger = loadLedgerIndex(sqlite, profile.provider, dayStart - margin, dayStart + DAY_MS + margin);
        ledgerRows = ledger.size;
        ledgerMs = performance.now() - t0;
        matcher = new SettlementMatcher(ledger, { payoutLagDays: profile.payoutLagDays, windowBusinessDays: window, knownTid: tidLookup(sqlite, profile.provider) });
      }
      matcher.add(row);
      kept?.push(row);
    },
    o,
  );
  const result = (matcher as SettlementMatcher | null)!.finish();
  eventDetails(sqlite, profile.provider, result.exceptions);
  return { result, encoding: parsed.encoding, rows: kept, ledgerRows, ledgerMs };
}
