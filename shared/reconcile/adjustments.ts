import type { ExceptionClass } from './match.js';

/** Reasons an exception is resolved for, from a list (plus free text). */
export const RESOLUTION_REASONS = ['provider_error', 'timing', 'fee_vat', 'ledger_error', 'duplicate_settlement', 'other'] as const;

/**
 * What an exception leaves unexplained in won: what the provider's file says
 * minus what the record says. A duplicate is money settled twice, so the whole
 * second row is the difference; a row settled on another day has the same
 * amount on both sides (the matcher checks the amount first), so it is 0.
 * The day's SQL total (reconcile-repo `DIFFERENCE_SQL`) follows this rule; a test holds them together.
 */
export function exceptionDifference(e: { class: ExceptionClass; fileAmount: number | null; ledgerAmount: number | null }): number {
  if (e.class === 'duplicate') return e.fileAmount ?? 0;
  return (e.fileAmount ?? 0) - (e.ledgerAmount ?? 0);
}

/** A day's money: differences found, adjustments booked, and what is left; the day locks only at 0 left. */
export interface DayMoney {
  difference: number;
  adjusted: number;
  unexplained: number;
}
