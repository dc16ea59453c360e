import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../db/open.js';
import { sampleLedger, seedLedger } from './fixtures.js';
import { isoMs, loadLedgerIndex } from './ledger-source.js';

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

  it('loads exactly the provider’s payments of the range, each column as stored (instants to the ms, packed in SQLite; a district outside the city’s list too)', async () => {
    const l = openDatabase(':memory:');
    await migrateToLatest(l.db);
    const days = ['2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12'];
    const txs = sampleLedger('hecto', days, 300, 7).map((t, i) => ({ ...t, approvedMs: t.approvedMs + (i % 1000), districtCode: i % 97 === 0 ? '99999' : t.districtCode }));
    seedLedger(l.sqlite, 'hecto', txs);
    seedLedger(l.sqlite, 'toss', sampleLedger('toss', days, 50), 'round-other');
    const from = Date.parse('2026-03-10T00:00:00+09:00');
    const to = Date.parse('2026-03-12T00:00:00+09:00');
    const ix = loadLedgerIndex(l.sqlite, 'hecto', from, to);
    const want = txs.filter((t) => t.approvedMs >= from && t.approvedMs < to);
    expect(ix.size).toBe(want.length);
    const got = Array.from({ length: ix.size }, (_, i) => ({ kind: ix.kindOf(i), tid: ix.tidOf(i), approvedMs: ix.approvedMs[i], amount: ix.amount[i], districtCode: ix.districtOf(i) }));
    const key = (t: { tid: string }) => t.tid;
    expect(got.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      want.map((t) => ({ kind: t.kind, tid: t.tid, approvedMs: t.approvedMs, amount: t.amount, districtCode: t.districtCode })).sort((a, b) => key(a).localeCompare(key(b))),
    );
    for (const t of want) expect(ix.keys.get(t.tid)).toBeGreaterThanOrEqual(0);
    await l.close();
  });
});
