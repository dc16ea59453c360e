/**
 * The ledger's filters, kept outside its page. A language switch draws the page again — its grid's column texts
 * and AG Grid's own locale are fixed when the grid is made — and the round, district, payment, type, days and lot
 * search a user chose must survive that. Kept for the signed-in user only: someone else signing in on this console
 * starts with empty filters, and never sees what the last user searched for.
 */
export interface LedgerFilters {
  roundId: string;
  district: string;
  payment: string;
  type: string;
  fromDay: string;
  toDay: string;
  lotSearch: string;
}

let kept: { user: string; filters: LedgerFilters } | null = null;

/** The filters `user` last set on the ledger, or null when they set none (or someone else did). */
export function keptLedgerFilters(user: string): LedgerFilters | null {
  return kept && kept.user === user ? kept.filters : null;
}

export function keepLedgerFilters(user: string, filters: LedgerFilters): void {
  kept = { user, filters: { ...filters } };
}
