import { describe, expect, it } from 'vitest';
import { SettlementMatcher, type ReconcileException } from '../../reconcile/match.js';
import { DEFAULT_PROFILES, type SettlementProfile, type SettlementRow } from '../../reconcile/profile.js';
import { sampleLedger } from './fixtures.js';
import { generateSettlement, type FileEncoding, type Manifest } from './generate.js';
import { parseSettlement } from './parse.js';

const DAY = '2026-03-10'; // a Tuesday
const DAYS = ['2026-03-09', DAY, '2026-03-11'];
const profile = (id: string) => DEFAULT_PROFILES.find((p) => p.id === id)!;

async function run(p: SettlementProfile, encoding: FileEncoding, seed = 1) {
  const ledger = sampleLedger(p.provider, DAYS, 80);
  const { bytes, manifest } = generateSettlement(ledger, p, DAY, { seed, encoding });
  const matcher = new SettlementMatcher(ledger, { payoutLagDays: p.payoutLagDays });
  const parsed = await parseSettlement(bytes, p, (r) => matcher.add(r));
  return { bytes, manifest, parsed, result: matcher.finish() };
}

const key = (e: { class: string; line: number | null; tid: string | null; eventId?: string | null }) => `${e.class} line=${e.line ?? '-'} tid=${e.tid}${e.line === null ? ` event=${e.eventId}` : ''}`;
const expectedExceptions = (m: Manifest) => m.injected.filter((i) => i.class !== 'matched').map(key).sort();

describe('settlement files: generate, parse, match', () => {
  const cases: [string, FileEncoding][] = [
    ['hecto-pipe', 'utf-8'],
    ['toss-csv', 'cp949'],
    ['toss-csv', 'utf-8'],
    ['toss-csv', 'utf-8-bom'],
    ['kicc-fixed', 'utf-8'],
  ];
  for (const [id, encoding] of cases) {
    it(`${id} in ${encoding}: the classification equals the manifest exactly`, async () => {
      const { manifest, parsed, result } = await run(profile(id), encoding);
      expect(parsed.encoding).toBe(encoding);
      expect(result.day).toBe(DAY);
      expect(result.rows).toBe(manifest.rows);
      expect(result.exceptions.map(key).sort()).toEqual(expectedExceptions(manifest));
      expect(result.matched).toBe(manifest.matched);
      // The re-keyed row is placed by amount and time, not by key.
      expect(result.matchedByTime).toEqual(manifest.injected.filter((i) => i.kind === 'rekeyed').map((i) => i.line));
      // Every kind was injected.
      expect(new Set(manifest.injected.map((i) => i.kind)).size).toBe(8);
    });
  }

  it('says when fee and VAT explain an amount difference, and when nothing does', async () => {
    const { manifest, result } = await run(profile('hecto-pipe'), 'utf-8', 5);
    const mism = (kind: string) => result.exceptions.find((e) => e.line === manifest.injected.find((i) => i.kind === kind)!.line)!;
    expect(mism('amountByFee')).toMatchObject({ class: 'amount_mismatch', explainedBy: 'feeVat' });
    expect(mism('amountChanged')).toMatchObject({ class: 'amount_mismatch', explainedBy: null });
  });

  it('totals by approval day and by payout day, with fees and net, cancellations negative', async () => {
    const p = profile('toss-csv');
    const { result } = await run(p, 'cp949');
    const rows: SettlementRow[] = [];
    const { bytes } = generateSettlement(sampleLedger(p.provider, DAYS, 80), p, DAY, { seed: 1, encoding: 'cp949' });
    await parseSettlement(bytes, p, (r) => rows.push(r));
    const sum = (f: (r: SettlementRow) => number) => rows.reduce((s, r) => s + (r.type === 'cancel' ? -1 : 1) * f(r), 0);
    const all = result.byApprovalDay.reduce((s, t) => s + t.net, 0);
    expect(all).toBe(sum((r) => r.net));
    expect(result.byPayoutDay.reduce((s, t) => s + t.fee, 0)).toBe(sum((r) => r.fee));
    expect(result.byPayoutDay.map((t) => t.day)).toEqual(['2026-03-12', '2026-03-13']);
  });

  it('a clean file matches entirely', async () => {
    const p = profile('kicc-fixed');
    const ledger = sampleLedger(p.provider, DAYS, 50);
    const { bytes, manifest } = generateSettlement(ledger, p, DAY, { inject: false });
    const m = new SettlementMatcher(ledger, { payoutLagDays: p.payoutLagDays });
    await parseSettlement(bytes, p, (r) => m.add(r));
    const r = m.finish();
    expect(r.exceptions).toEqual([] as ReconcileException[]);
    expect(r.matched).toBe(manifest.rows);
    expect(r.ledger.count).toBe(manifest.rows);
  });
});
