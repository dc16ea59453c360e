import { describe, expect, it } from 'vitest';
import { keepLedgerFilters, keptLedgerFilters, type LedgerFilters } from './ledger-filters.js';

const chosen: LedgerFilters = { roundId: 'r1', district: '11440', payment: 'bank_transfer', type: 'refund', fromDay: '2026-12-01', toDay: '2026-12-07', lotSearch: 'lot-1' };

describe('ledger filters kept across a redraw', () => {
  it('come back for the user who set them, as they were', () => {
    keepLedgerFilters('clerk-a', chosen);
    expect(keptLedgerFilters('clerk-a')).toEqual(chosen);
  });
  it('are not shown to someone else signing in on the same console', () => {
    keepLedgerFilters('clerk-a', chosen);
    expect(keptLedgerFilters('clerk-b')).toBeNull();
  });
  it('are a copy: a later change to the page’s object does not leak into what was kept', () => {
    const live = { ...chosen };
    keepLedgerFilters('clerk-a', live);
    live.lotSearch = 'lot-2';
    expect(keptLedgerFilters('clerk-a')?.lotSearch).toBe('lot-1');
  });
});
