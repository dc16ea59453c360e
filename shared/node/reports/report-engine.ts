import { sql, type Kysely, type RawBuilder } from 'kysely';
import { useRate, type GroupKey, type Measure, type ReportParams, type ReportResult, type ReportRow } from '../../reports/params.js';
import type { Database } from '../db/schema.js';

/** Group keys over report_facts (`hour` is Seoul `YYYY-MM-DD HH`). */
const FACT_KEYS: Record<GroupKey, string> = {
  district: 'district_code',
  day: 'substr(hour, 1, 10)',
  hour: 'substr(hour, 12, 2)',
  paymentMethod: 'payment_method',
  denomination: 'cast(face as text)',
};

/** The same keys over lots, for distinct buyers (the purchase's Seoul time). */
const LOT_KEYS: Record<GroupKey, string> = {
  district: 'district_code',
  day: "strftime('%Y-%m-%d', purchased_at, '+9 hours')",
  hour: "strftime('%H', purchased_at, '+9 hours')",
  paymentMethod: 'payment_method',
  denomination: 'cast(face as text)',
};

/** Seoul day `YYYY-MM-DD` → the UTC instant its midnight falls on. */
function seoulMidnightUtc(day: string, plusDays = 0): string {
  return new Date(Date.parse(`${day}T00:00:00.000+09:00`) + plusDays * 86_400_000).toISOString();
}

function inList(column: string, values: readonly string[]): RawBuilder<unknown> {
  return sql`${sql.raw(column)} in (${sql.join(values)})`;
}

/** The filters every query shares; `time` is the column of the row's Seoul time. */
function filters(p: ReportParams, scope: { districts: readonly string[] }, time: { column: string; kind: 'hour' | 'instant' }): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`1 = 1`];
  if (p.roundIds.length > 0) parts.push(inList('round_id', p.roundIds));
  if (scope.districts.length > 0) parts.push(inList('district_code', scope.districts));
  if (p.paymentMethods.length > 0) parts.push(inList('payment_method', p.paymentMethods));
  if (time.kind === 'hour') {
    if (p.fromDay) parts.push(sql`${sql.raw(time.column)} >= ${`${p.fromDay} 00`}`);
    if (p.toDay) parts.push(sql`${sql.raw(time.column)} <= ${`${p.toDay} 23`}`);
  } else {
    if (p.fromDay) parts.push(sql`${sql.raw(time.column)} >= ${seoulMidnightUtc(p.fromDay)}`);
    if (p.toDay) parts.push(sql`${sql.raw(time.column)} < ${seoulMidnightUtc(p.toDay, 1)}`);
  }
  return sql.join(parts, sql` and `);
}

interface FactSums {
  face: number;
  paid: number;
  lots: number;
  used: number;
  gifts: number;
  cancels: number;
  cancelAmount: number;
  refunds: number;
  refundAmount: number;
  retired: number;
  allFace: number;
  allUsed: number;
}

const ZERO: FactSums = { face: 0, paid: 0, lots: 0, used: 0, gifts: 0, cancels: 0, cancelAmount: 0, refunds: 0, refundAmount: 0, retired: 0, allFace: 0, allUsed: 0 };

function measuresOf(s: FactSums, buyers: number, wanted: readonly Measure[]): Record<string, number> {
  const all: Record<Measure, number> = {
    faceSold: s.face,
    paid: s.paid,
    discount: s.face - s.paid,
    buyers,
    lots: s.lots,
    usedAmount: s.used,
    useRate: useRate(s.used, s.face),
    gifts: s.gifts,
    cancelCount: s.cancels,
    cancelAmount: s.cancelAmount,
    refundCount: s.refunds,
    refundAmount: s.refundAmount,
    remaining: s.allFace - s.allUsed - s.retired,
  };
  return Object.fromEntries(wanted.map((m) => [m, all[m]]));
}

/**
 * Runs a report: the sums from report_facts (a few rows per hour), distinct
 * buyers from the lots when asked for. `districts` is the scope already
 * narrowed to a clerk's own district by the caller.
 */
export async function runReport(db: Kysely<Database>, p: ReportParams, scope: { districts: readonly string[]; scopedTo: string | null }): Promise<ReportResult> {
  const typeOk = (t: string) => p.eventTypes.length === 0 || (p.eventTypes as readonly string[]).includes(t);
  const when = (t: string, expr: string) => (typeOk(t) ? `coalesce(sum(case when type = '${t}' then ${expr} end), 0)` : '0');
  const keyCols = p.groupBy.map((g, i) => `${FACT_KEYS[g]} as k${i}`);
  const sums = [
    `${when('purchase', 'amount')} as face`,
    `${when('purchase', 'paid')} as paid`,
    `${when('purchase', 'n')} as lots`,
    `${when('use', 'amount')} as used`,
    `${when('gift', 'n')} as gifts`,
    `${when('cancel', 'n')} as cancels`,
    `${when('cancel', 'amount')} as cancelAmount`,
    `${when('refund', 'n')} as refunds`,
    `${when('refund', 'amount')} as refundAmount`,
    // The balance counts every type whatever the type filter says.
    `coalesce(sum(retired), 0) as retired`,
    `coalesce(sum(case when type = 'purchase' then amount end), 0) as allFace`,
    `coalesce(sum(case when type = 'use' then amount end), 0) as allUsed`,
  ];
  const groupSql = p.groupBy.length > 0 ? sql` group by ${sql.raw(p.groupBy.map((_, i) => `k${i}`).join(', '))} order by ${sql.raw(p.groupBy.map((_, i) => `k${i}`).join(', '))}` : sql``;
  const where = filters(p, scope, { column: 'hour', kind: 'hour' });
  const factRows = (
    await sql<Record<string, string | number>>`select ${sql.raw([...keyCols, ...sums].join(', '))} from report_facts where ${where}${groupSql}`.execute(db)
  ).rows;

  const wantBuyers = p.measures.includes('buyers');
  const buyers = new Map<string, number>();
  let totalBuyers = 0;
  if (wantBuyers && typeOk('purchase')) {
    const lotWhere = filters(p, scope, { column: 'purchased_at', kind: 'instant' });
    if (p.groupBy.length > 0) {
      const cols = p.groupBy.map((g, i) => `${LOT_KEYS[g]} as k${i}`).join(', ');
      const keys = p.groupBy.map((_, i) => `k${i}`).join(', ');
      const rows = (await sql<Record<string, string | number>>`select ${sql.raw(cols)}, count(distinct buyer_id) as n from lots where ${lotWhere} group by ${sql.raw(keys)}`.execute(db)).rows;
      for (const r of rows) buyers.set(p.groupBy.map((_, i) => String(r[`k${i}`])).join('\u0000'), Number(r.n));
    }
    totalBuyers = Number((await sql<{ n: number }>`select count(distinct buyer_id) as n from lots where ${lotWhere}`.execute(db)).rows[0]!.n);
  }

  const total: FactSums = { ...ZERO };
  const rows: ReportRow[] = [];
  for (const r of factRows) {
    const s: FactSums = { ...ZERO };
    for (const k of Object.keys(ZERO) as (keyof FactSums)[]) {
      s[k] = Number(r[k] ?? 0);
      total[k] += s[k];
    }
    const keys = p.groupBy.map((_, i) => String(r[`k${i}`]));
    const groupBuyers = p.groupBy.length > 0 ? (buyers.get(keys.join('\u0000')) ?? 0) : totalBuyers;
    // With no grouping an empty ledger still sums to one row of zeros; keep it out.
    if (p.groupBy.length === 0 && s.lots === 0 && s.allFace === 0 && s.allUsed === 0 && s.retired === 0 && s.gifts + s.cancels + s.refunds === 0) continue;
    rows.push({ keys, values: measuresOf(s, groupBuyers, p.measures) });
  }
  return { groupBy: p.groupBy, measures: p.measures, rows, totals: measuresOf(total, totalBuyers, p.measures), scopedTo: scope.scopedTo };
}
