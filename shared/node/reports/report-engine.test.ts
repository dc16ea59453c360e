import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatError } from '../../i18n/index.js';
import { GROUP_KEYS, MEASURES, type GroupKey, type ReportParamsInput, type ReportResult } from '../../reports/params.js';
import { Harness } from '../../../tests/support/backend-harness.js';
import { Feeder, ledgerEvents, reportSpec } from '../../../tests/support/report-ledger.js';
import { localTotals } from '../ledger/ledger-handlers.js';
import { basisPointsOf } from '../../common/money.js';
import type { PurchaseEvent } from '../../ledger/events.js';

/**
 * Report figures against an independent computation: plain SQL over the raw
 * events and their lots (not the summary table the engine reads), grouped
 * with SQLite's own date functions.
 */
let h: Harness;
let admin: string;
const spec = reportSpec();

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.admin();
  const feeder = new Feeder(h.backend.ledger.sqlite);
  feeder.feed(ledgerEvents({ roundId: 'r1', spec, purchases: 3_000, start: '2026-03-09T20:00:00.000Z', days: 3, seed: 7, buyers: 1_500 }));
  feeder.feed(ledgerEvents({ roundId: 'r2', spec: reportSpec('second'), purchases: 800, start: '2026-03-10T01:00:00.000Z', days: 1, seed: 8, buyers: 600 }));
});
afterAll(() => h.close());

const ORACLE_KEYS: Record<GroupKey, string> = {
  district: 'e.district_code',
  day: "strftime('%Y-%m-%d', e.occurred_at, '+9 hours')",
  hour: "strftime('%H', e.occurred_at, '+9 hours')",
  paymentMethod: 'e.payment_method',
  denomination: 'cast(l.face as text)',
};

interface Filters {
  roundIds?: string[];
  districts?: string[];
  paymentMethods?: string[];
  eventTypes?: string[];
  fromDay?: string;
  toDay?: string;
}

async function oracle(groupBy: GroupKey[], f: Filters): Promise<Map<string, Record<string, number>>> {
  const q = (xs: string[]) => xs.map((x) => `'${x}'`).join(',');
  const where = ['1=1'];
  if (f.roundIds?.length) where.push(`e.round_id in (${q(f.roundIds)})`);
  if (f.districts?.length) where.push(`e.district_code in (${q(f.districts)})`);
  if (f.paymentMethods?.length) where.push(`e.payment_method in (${q(f.paymentMethods)})`);
  if (f.fromDay) where.push(`date(e.occurred_at, '+9 hours') >= '${f.fromDay}'`);
  if (f.toDay) where.push(`date(e.occurred_at, '+9 hours') <= '${f.toDay}'`);
  const ok = (t: string) => !f.eventTypes?.length || f.eventTypes.includes(t);
  const s = (t: string, expr: string) => (ok(t) ? `sum(case when e.type = '${t}' then ${expr} else 0 end)` : '0');
  const keys = groupBy.map((g, i) => `${ORACLE_KEYS[g]} as k${i}`);
  const text = `select ${[...keys, `${s('purchase', 'e.amount')} as faceSold`, `${s('purchase', 'l.paid')} as paid`, `${s('purchase', '1')} as lots`,
    `${ok('purchase') ? "count(distinct case when e.type = 'purchase' then l.buyer_id end)" : '0'} as buyers`,
    `${s('use', 'e.amount')} as usedAmount`, `${s('gift', '1')} as gifts`, `${s('cancel', '1')} as cancelCount`, `${s('cancel', 'e.amount')} as cancelAmount`,
    `${s('refund', '1')} as refundCount`, `${s('refund', 'e.amount')} as refundAmount`,
    `sum(case e.type when 'purchase' then e.amount when 'use' then -e.amount when 'cancel' then -l.face when 'refund' then -(l.face - l.used) else 0 end) as remaining`].join(', ')}
    from ledger_events e join lots l on l.lot_id = e.lot_id where ${where.join(' and ')}
    ${groupBy.length ? `group by ${groupBy.map((_, i) => `k${i}`).join(', ')}` : ''}`;
  const rows = (await sql.raw<Record<string, string | number>>(text).execute(h.backend.deps.db)).rows;
  return new Map(rows.map((r) => [groupBy.map((_, i) => String(r[`k${i}`])).join('|'), r as Record<string, number>]));
}

async function run(params: ReportParamsInput, session = admin): Promise<ReportResult> {
  return h.call('reports.run', { params: { measures: [...MEASURES], ...params } }, session);
}

async function expectMatchesOracle(groupBy: GroupKey[], f: Filters): Promise<ReportResult> {
  const result = await run({ groupBy, ...(f as ReportParamsInput) });
  const expected = await oracle(groupBy, f);
  expect(result.rows.length).toBe(expected.size);
  for (const row of result.rows) {
    const want = expected.get(row.keys.join('|'));
    expect(want, row.keys.join('|')).toBeDefined();
    for (const m of ['faceSold', 'paid', 'lots', 'buyers', 'usedAmount', 'gifts', 'cancelCount', 'cancelAmount', 'refundCount', 'refundAmount', 'remaining'] as const) {
      expect(row.values[m], `${row.keys.join('|')} ${m}`).toBe(Number(want![m]));
    }
    expect(row.values.discount).toBe(Number(want!.faceSold) - Number(want!.paid));
    expect(row.values.useRate).toBeCloseTo(Number(want!.faceSold) > 0 ? Number(want!.usedAmount) / Number(want!.faceSold) : 0, 12);
  }
  // Totals follow the filters: the sum of the rows, buyers counted once.
  const all = await oracle([], f);
  const total = all.get('')!;
  for (const m of ['faceSold', 'paid', 'lots', 'buyers', 'usedAmount', 'refundAmount', 'cancelAmount', 'remaining'] as const) expect(result.totals[m], `total ${m}`).toBe(Number(total[m] ?? 0));
  return result;
}

describe('report figures equal plain SQL over the events', () => {
  it('by district, over everything', async () => {
    const r = await expectMatchesOracle(['district'], {});
    expect(r.rows).toHaveLength(25);
    expect(r.totals.lots).toBe(3_800);
    expect(r.totals.cancelCount).toBeGreaterThan(0);
    expect(r.totals.refundCount).toBeGreaterThan(0);
    expect(r.totals.gifts).toBeGreaterThan(0);
    // The remaining balance equals what the lots hold now.
    const held = (await sql<{ code: string; v: number }>`select district_code as code, sum(case when status = 'active' then face - used else 0 end) as v from lots group by 1`.execute(h.backend.deps.db)).rows;
    for (const { code, v } of held) expect(r.rows.find((x) => x.keys[0] === code)!.values.remaining).toBe(v);
  });

  it('by Seoul day and payment method, for two districts and a period', async () => {
    const r = await expectMatchesOracle(['day', 'paymentMethod'], { districts: ['11680', '11110'], fromDay: '2026-03-10', toDay: '2026-03-11' });
    expect(new Set(r.rows.map((x) => x.keys[0]))).toEqual(new Set(['2026-03-10', '2026-03-11']));
  });

  it('by hour and denomination, purchases and refunds only, one round, one method', async () => {
    const r = await expectMatchesOracle(['hour', 'denomination'], { roundIds: ['r1'], eventTypes: ['purchase', 'refund'], paymentMethods: ['bank_transfer'] });
    expect(r.totals.usedAmount).toBe(0);
    expect(r.totals.refundCount).toBeGreaterThan(0);
  });

  it('every single key and every pair', async () => {
    for (const a of GROUP_KEYS) {
      await expectMatchesOracle([a], { roundIds: ['r2'] });
      for (const b of GROUP_KEYS) if (a !== b) await expectMatchesOracle([a, b], { toDay: '2026-03-10' });
    }
  });

  it('every pair narrowed to districts, a method and a period (hour × denomination reads the all-keys table)', async () => {
    for (const a of GROUP_KEYS) {
      for (const b of GROUP_KEYS) if (a < b) await expectMatchesOracle([a, b], { districts: ['11680', '11440'], paymentMethods: ['debit_card'], fromDay: '2026-03-10', toDay: '2026-03-11' });
    }
    await expectMatchesOracle(['hour', 'denomination'], { paymentMethods: ['credit_card', 'bank_transfer'], roundIds: ['r1'] });
    await expectMatchesOracle(['denomination', 'hour'], { districts: ['11110'] });
  });

  it('ungrouped totals equal the ledger page totals', async () => {
    const r = await run({ roundIds: ['r1'] });
    const t = await localTotals(h.backend.deps.db, 'r1');
    expect(r.totals.faceSold).toBe(t.faceSold);
    expect(r.totals.paid).toBe(t.paid);
    expect(r.totals.usedAmount).toBe(t.used);
    expect(r.totals.cancelCount).toBe(t.cancelled);
    expect(r.totals.lots).toBe(t.purchases);
  });

  it('counts buyers right after a page adds to cells already read', async () => {
    await expectMatchesOracle(['district', 'day'], {});
    const lot = (await sql<{ district_code: string; payment_method: string; face: number; purchased_at: string; buyer_id: string }>`select * from lots where round_id = 'r1' limit 1`.execute(h.backend.deps.db)).rows[0]!;
    const other = (await sql<{ buyer_id: string }>`select buyer_id from lots where round_id = 'r2' limit 1`.execute(h.backend.deps.db)).rows[0]!;
    const purchase = (n: number, buyerId: string): PurchaseEvent => ({
      type: 'purchase', eventId: `late-${n}`, roundId: 'r1', lotId: `late-l${n}`, at: lot.purchased_at, buyerId, districtCode: lot.district_code,
      face: lot.face, paid: lot.face - basisPointsOf(lot.face, spec.discountBp), paymentMethod: lot.payment_method as PurchaseEvent['paymentMethod'],
    });
    // The same cell: its own buyer again, a buyer from another round, a new one.
    new Feeder(h.backend.ledger.sqlite).feed([purchase(1, lot.buyer_id), purchase(2, other.buyer_id), purchase(3, 'brand-new-buyer')]);
    const r = await expectMatchesOracle(['district', 'day'], {});
    await expectMatchesOracle(['denomination'], { roundIds: ['r1'] });
    expect(r.totals.lots).toBe(3_803);
  });

  it('stays right after a repair cuts the log back and replays it', async () => {
    const before = await run({ groupBy: ['district'] });
    const feeder = new Feeder(h.backend.ledger.sqlite);
    const applier = feeder.applierForTests;
    const cut = applier.cursor().seq - 500;
    applier.truncateFrom(cut);
    await expectMatchesOracle(['district', 'paymentMethod'], {});
    const after = await run({ groupBy: ['district'] });
    expect(after.totals.lots).toBeLessThan(before.totals.lots!);
  });
});

describe('the sale-day curve', () => {
  it('counts every purchase of the day by minute, with the face sold, and no forecast without a saved run', async () => {
    const c = await h.call('reports.saleCurve', { roundId: 'r2' }, admin);
    const r = await run({ roundIds: ['r2'] });
    expect(c.purchases.reduce((a, b) => a + b, 0)).toBe(r.totals.lots);
    expect(c.face.reduce((a, b) => a + b, 0)).toBe(r.totals.faceSold);
    expect(c.purchases.length).toBeLessThanOrEqual(24 * 60);
    expect(c.forecast).toBeNull();
  });
});

describe('scope and parameters', () => {
  it("holds a clerk's report to their district whatever they ask", async () => {
    const clerk = await h.user(admin, 'mapo', 'clerk', '11440');
    const r = await run({ groupBy: ['district'], districts: ['11680'] }, clerk.session);
    expect(r.scopedTo).toBe('11440');
    expect(r.rows.map((x) => x.keys[0])).toEqual(['11440']);
  });

  it('refuses a period that ends before it starts, and an unknown district, in Korean', async () => {
    const e1 = await h.fail('reports.run', { params: { fromDay: '2026-03-11', toDay: '2026-03-10' } }, admin);
    expect(e1.code).toBe('invalid_input');
    expect(formatError('ko', e1)).toBe('기간의 종료일(2026-03-10)이 시작일(2026-03-11)보다 앞섭니다');
    expect(e1.issues![0]!.path).toBe('params.toDay');
    const e2 = await h.fail('reports.run', { params: { districts: ['11680', '99999'] } }, admin);
    expect(formatError('ko', e2)).toBe('알 수 없는 자치구 코드입니다: 99999');
    const e3 = await h.fail('reports.run', { params: { groupBy: ['district', 'district'] } }, admin);
    expect(formatError('ko', e3)).toBe('같은 기준으로 두 번 묶을 수 없습니다');
    const e4 = await h.fail('reports.run', { params: { groupBy: ['week'] } }, admin);
    expect(e4.code).toBe('invalid_input');
  });
});
