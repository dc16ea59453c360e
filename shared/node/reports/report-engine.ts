import { sql, type Kysely, type RawBuilder } from 'kysely';
import { useRate, type GroupKey, type Measure, type ReportParams, type ReportResult, type ReportRow } from '../../reports/params.js';
import type { Database } from '../db/schema.js';
import { countBuyers } from './buyer-lists.js';

/**
 * Where a report's sums come from: the smallest summary table (kept per sync
 * page, see report-facts.ts) that has the report's keys and filters.
 */
interface Source {
  from: string;
  /** Whether the table has the district or payment method to filter on. */
  filterable: { district: boolean; method: boolean };
  keys: Record<GroupKey, string | null>;
  /** Column of the Seoul day or hour (`YYYY-MM-DD…` text) the period filters on. */
  time: string;
  col: { round: string; district: string; method: string; type: string; n: string; amount: string; paid: string; retired: string };
}

const FACTS = { round: 'round_id', district: 'district_code', method: 'payment_method', type: 'type', n: 'n', amount: 'amount', paid: 'paid', retired: 'retired' };
const HOUR_KEYS = { day: 'substr(hour, 1, 10)', hour: 'substr(hour, 12, 2)' };

const DAY_FACTS: Source = {
  from: 'report_facts_day',
  filterable: { district: true, method: true },
  keys: { district: 'district_code', day: 'day', hour: null, paymentMethod: 'payment_method', denomination: 'cast(face as text)' },
  time: 'day',
  col: FACTS,
};

const HOUR_FACTS: Source = {
  from: 'report_facts_hour',
  filterable: { district: true, method: true },
  keys: { district: 'district_code', ...HOUR_KEYS, paymentMethod: 'payment_method', denomination: null },
  time: 'hour',
  col: FACTS,
};

const HOUR_FACE_FACTS: Source = {
  from: 'report_facts_hour_face',
  filterable: { district: false, method: true },
  keys: { district: null, ...HOUR_KEYS, paymentMethod: 'payment_method', denomination: 'cast(face as text)' },
  time: 'hour',
  col: FACTS,
};

/** Every key: hour × denomination narrowed to districts (its rows are stored district first). */
const CELL_FACTS: Source = {
  from: 'report_facts_cell',
  filterable: { district: true, method: true },
  keys: { district: 'district_code', ...HOUR_KEYS, paymentMethod: 'payment_method', denomination: 'cast(face as text)' },
  time: 'hour',
  col: FACTS,
};

/** The smallest source that has every key the report groups by and every filter it needs. */
export function sourceFor(groupBy: readonly GroupKey[], filtered: { district: boolean; method: boolean }): Source {
  // Smallest first: hour × face × method (~10k rows on a 1M-event ledger) before hour × district × method (~50k).
  for (const s of [DAY_FACTS, HOUR_FACE_FACTS, HOUR_FACTS]) {
    if (groupBy.every((g) => s.keys[g] !== null) && (s.filterable.district || !filtered.district) && (s.filterable.method || !filtered.method)) return s;
  }
  return CELL_FACTS;
}

function inList(column: string, values: readonly string[]): RawBuilder<unknown> {
  return sql`${sql.raw(column)} in (${sql.join(values)})`;
}

type Columns = { round: string; district: string; method: string };

/** The filters every query shares; `time` is the column of the row's Seoul day or hour. */
function filters(p: ReportParams, districts: readonly string[], col: Columns, time: string): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`1 = 1`];
  if (p.roundIds.length > 0) parts.push(inList(col.round, p.roundIds));
  if (districts.length > 0) parts.push(inList(col.district, districts));
  if (p.paymentMethods.length > 0) parts.push(inList(col.method, p.paymentMethods));
  // `YYYY-MM-DD` and `YYYY-MM-DD HH` both sort inside [fromDay, toDay + '~').
  if (p.fromDay) parts.push(sql`${sql.raw(time)} >= ${p.fromDay}`);
  if (p.toDay) parts.push(sql`${sql.raw(time)} < ${`${p.toDay}~`}`);
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
 * Runs a report: the sums from a summary table, distinct buyers from the
 * per-cell buyer lists when asked for. `districts` is the scope already
 * narrowed to a clerk's own district by the caller.
 */
export async function runReport(db: Kysely<Database>, p: ReportParams, scope: { districts: readonly string[]; scopedTo: string | null }): Promise<ReportResult> {
  const typeOk = (t: string) => p.eventTypes.length === 0 || (p.eventTypes as readonly string[]).includes(t);
  const src = sourceFor(p.groupBy, { district: scope.districts.length > 0, method: p.paymentMethods.length > 0 });
  const c = src.col;
  const when = (t: string, expr: string) => (typeOk(t) ? `coalesce(sum(case when ${c.type} = '${t}' then ${expr} end), 0)` : '0');
  const keyCols = p.groupBy.map((g, i) => `${src.keys[g]} as k${i}`);
  const sums = [
    `${when('purchase', c.amount)} as face`,
    `${when('purchase', c.paid)} as paid`,
    `${when('purchase', c.n)} as lots`,
    `${when('use', c.amount)} as used`,
    `${when('gift', c.n)} as gifts`,
    `${when('cancel', c.n)} as cancels`,
    `${when('cancel', c.amount)} as cancelAmount`,
    `${when('refund', c.n)} as refunds`,
    `${when('refund', c.amount)} as refundAmount`,
    // The balance counts every type whatever the type filter says.
    `coalesce(sum(${c.retired}), 0) as retired`,
    `coalesce(sum(case when ${c.type} = 'purchase' then ${c.amount} end), 0) as allFace`,
    `coalesce(sum(case when ${c.type} = 'use' then ${c.amount} end), 0) as allUsed`,
  ];
  const keyList = p.groupBy.map((_, i) => `k${i}`).join(', ');
  const groupSql = p.groupBy.length > 0 ? sql` group by ${sql.raw(keyList)} order by ${sql.raw(keyList)}` : sql``;
  const where = filters(p, scope.districts, c, src.time);
  const factRows = (await sql<Record<string, string | number>>`select ${sql.raw([...keyCols, ...sums].join(', '))} from ${sql.raw(src.from)} where ${where}${groupSql}`.execute(db)).rows;

  const wantBuyers = p.measures.includes('buyers');
  let buyers = new Map<string, number>();
  let totalBuyers = 0;
  if (wantBuyers && typeOk('purchase')) ({ groups: buyers, total: totalBuyers } = await countBuyers(db, p, scope.districts));

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

