import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoMs } from './ledger-source.js';

describe('reading the ledger', () => {
  it('reads stored instants as Date.parse does, without a parse per row', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        expect(isoMs(d.toISOString())).toBe(d.getTime());
      }),
    );
    // Other spellings still read right.
    expect(isoMs('2026-03-10T09:00:00+09:00')).toBe(Date.parse('2026-03-10T00:00:00Z'));
    expect(isoMs('2026-03-10T00:00:00Z')).toBe(Date.parse('2026-03-10T00:00:00Z'));
  });
});
