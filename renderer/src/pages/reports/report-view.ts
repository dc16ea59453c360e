import type { ChartConfiguration } from 'chart.js';
import type { Output } from '#shared/api/contract.js';
import { formatDayEntry } from '#shared/common/date-entry.js';
import { formatWonHeadline } from '#shared/common/money.js';
import type { Lang } from '#shared/i18n/index.js';
import { formatRate, groupValueLabel } from '#shared/reports/labels.js';
import { MONEY_MEASURES, type GroupKey, type Measure, type ReportParamsInput, type ReportResult } from '#shared/reports/params.js';
import { BY_MINUTE, CHART_BASE } from '../../lib/charts/chart-base.js';

const COLORS = ['#1d4f91', '#d9480f', '#2b8a3e', '#9c36b5', '#e67700', '#0b7285', '#c2255c', '#5c940d'];

/** Every label shown (25 districts fit when turned), never cut. */
const CATEGORY_X = { ticks: { autoSkip: false, maxRotation: 60, minRotation: 0, font: { size: 11 } } };
/**
 * Days and hours run in order, so every label need not be drawn: a year of days drawn all at once overprints
 * into a smear. Chart.js keeps as many as fit, level, evenly spaced.
 */
const TIME_X = { ticks: { autoSkip: true, autoSkipPadding: 12, maxRotation: 0, font: { size: 11 } } };
const xAxis = (key: string) => (key === 'day' || key === 'hour' ? TIME_X : CATEGORY_X);

export type PresetId = 'daily' | 'district' | 'curve' | 'useRate' | 'refunds';
export const PRESET_IDS: PresetId[] = ['daily', 'district', 'curve', 'useRate', 'refunds'];

/** The ready-made reports: parameters the builder loads (the curve has its own chart). */
export const PRESETS: Record<Exclude<PresetId, 'curve'>, ReportParamsInput> = {
  daily: { groupBy: ['day'], measures: ['faceSold', 'paid', 'discount', 'lots', 'buyers'] },
  district: { groupBy: ['district'], measures: ['faceSold', 'paid', 'lots', 'buyers', 'usedAmount', 'useRate'] },
  useRate: { groupBy: ['day'], measures: ['faceSold', 'usedAmount', 'useRate', 'remaining'] },
  refunds: { groupBy: ['day'], measures: ['cancelCount', 'cancelAmount', 'refundCount', 'refundAmount'], eventTypes: ['cancel', 'refund'] },
};

/** A measure's value on a card or an axis: 만/억 in Korean, `₩1.2 billion` in English (rounded; cards title the exact amount). */
export function shortText(m: Measure, v: number, lang: Lang, num: (n: number) => string): string {
  if (MONEY_MEASURES.has(m)) return formatWonHeadline(v, lang);
  if (m === 'useRate') return formatRate(v);
  return num(v);
}

/**
 * A group's value as the screen shows it: a day as the rest of the UI writes one (`7 Dec 2026` in English, the
 * Korean field's `2026-12-07`); districts, payments and hours as the table words them. Exports keep the day's
 * ISO key (a CSV and an XLSX sort and read it as a date), so only the screen goes through here.
 */
export function groupText(key: GroupKey, value: string, lang: Lang): string {
  return key === 'day' ? formatDayEntry(value, lang) : groupValueLabel(key, value, lang);
}

/** Beyond this many days (ten years) the axis keeps the days that have rows rather than draw a point per day. */
const MAX_FILLED_DAYS = 3_660;

/**
 * Every calendar day from the first to the last of `days` (YYYY-MM-DD), in
 * order: a day without sales has no row, and a daily axis that skipped it
 * would draw 14 July next to 28 July as if they were neighbours.
 */
export function everyDay(days: string[]): string[] {
  if (days.length === 0) return [];
  const sorted = [...days].sort();
  // Calendar arithmetic on UTC midnights: the keys are Seoul days already, so no zone enters here.
  const first = Date.parse(`${sorted[0]}T00:00:00Z`);
  const last = Date.parse(`${sorted.at(-1)}T00:00:00Z`);
  const span = Math.round((last - first) / 86_400_000);
  if (!Number.isFinite(span) || span > MAX_FILLED_DAYS) return [...new Set(sorted)];
  return Array.from({ length: span + 1 }, (_, i) => new Date(first + i * 86_400_000).toISOString().slice(0, 10));
}

/**
 * The report's chart: bars per group of the first key (stacked by the
 * second key), lines over days and hours; the use-rate report draws the
 * cumulative rate. Axes in 만/억 for money.
 */
export function reportChart(result: ReportResult, measure: Measure, lang: Lang, num: (n: number) => string, cumulativeRate = false): ChartConfiguration {
  const [k1, k2] = result.groupBy;
  const tick = (v: string | number) => shortText(measure, Number(v), lang, num);
  if (!k1) {
    return {
      type: 'bar',
      data: { labels: [''], datasets: [{ label: measure, data: [result.totals[measure] ?? 0], backgroundColor: COLORS[0] }] },
      options: { ...CHART_BASE, scales: { y: { beginAtZero: true, ticks: { callback: tick, maxTicksLimit: 6 } } } },
    };
  }
  const present = [...new Set(result.rows.map((r) => r.keys[0]!))];
  // Days without rows are drawn as zero, so the axis runs day by day.
  const firstKeys = k1 === 'day' ? everyDay(present) : present;
  const labels = firstKeys.map((k) => groupText(k1, k, lang));
  if (cumulativeRate && k1 === 'day' && !k2) {
    const byDay = new Map(result.rows.map((r) => [r.keys[0]!, r.values]));
    let sold = 0;
    let used = 0;
    const rates = firstKeys.map((day) => {
      sold += byDay.get(day)?.faceSold ?? 0;
      used += byDay.get(day)?.usedAmount ?? 0;
      return sold > 0 ? used / sold : 0;
    });
    return {
      type: 'line',
      data: { labels, datasets: [{ label: '%', data: rates, borderColor: COLORS[0], backgroundColor: COLORS[0], pointRadius: 2, tension: 0.1 }] },
      options: { ...CHART_BASE, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, max: 1, ticks: { callback: (v) => formatRate(Number(v)), maxTicksLimit: 6 } } } },
    };
  }
  if (!k2) {
    const byKey = new Map(result.rows.map((r) => [r.keys[0]!, r.values[measure] ?? 0]));
    const values = firstKeys.map((k) => byKey.get(k) ?? 0);
    const line = (k1 === 'day' || k1 === 'hour') && firstKeys.length > 1;
    return {
      type: line ? 'line' : 'bar',
      data: { labels, datasets: [{ label: '', data: values, borderColor: COLORS[0], backgroundColor: COLORS[0], pointRadius: 2, tension: 0.1 }] },
      options: { ...CHART_BASE, plugins: { legend: { display: false } }, scales: { x: xAxis(k1), y: { beginAtZero: true, ticks: { callback: tick, maxTicksLimit: 6 } } } },
    };
  }
  const secondKeys = [...new Set(result.rows.map((r) => r.keys[1]!))];
  const cell = new Map(result.rows.map((r) => [`${r.keys[0]}\u0000${r.keys[1]}`, r.values[measure] ?? 0]));
  return {
    type: 'bar',
    data: {
      labels,
      datasets: secondKeys.map((k, i) => ({
        label: groupText(k2, k, lang),
        data: firstKeys.map((f) => cell.get(`${f}\u0000${k}`) ?? 0),
        backgroundColor: COLORS[i % COLORS.length],
        borderWidth: 0,
      })),
    },
    options: { ...CHART_BASE, scales: { x: { ...xAxis(k1), stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { callback: tick, maxTicksLimit: 6 } } } },
  };
}

export type SaleCurve = Output<'reports.saleCurve'>;

/**
 * Purchases per minute (bars, right axis) and the face sold so far (line,
 * left axis, 만/억), with the simulation's face sold so far (dashed) on the
 * same axes, so forecast and reality are side by side.
 */
export function curveChart(c: SaleCurve, labels: { perMinute: string; cumulative: string; forecast: string; minutes: string }, lang: Lang): ChartConfiguration {
  let sum = 0;
  const cumulative = c.face.map((v, i) => ({ x: c.firstMinute + i, y: (sum += v) }));
  const datasets: ChartConfiguration['data']['datasets'] = [
    { type: 'line', label: labels.cumulative, data: cumulative, borderColor: COLORS[0], backgroundColor: COLORS[0], pointRadius: 0, borderWidth: 2, yAxisID: 'y' },
    { type: 'bar', label: labels.perMinute, data: c.purchases.map((v, i) => ({ x: c.firstMinute + i, y: v })), backgroundColor: '#9db4d6', yAxisID: 'y1' },
  ];
  if (c.forecast) {
    const last = c.firstMinute + c.purchases.length - 1;
    const fc = c.forecast.sold.map((v, i) => ({ x: c.forecast!.firstMinute + i, y: v })).filter((p) => p.x >= Math.min(0, c.firstMinute) && p.x <= Math.max(last, 60));
    datasets.push({ type: 'line', label: `${labels.forecast} — ${c.forecast.label}`, data: fc, borderColor: COLORS[1], backgroundColor: COLORS[1], borderDash: [6, 4], pointRadius: 0, borderWidth: 2, yAxisID: 'y' });
  }
  return {
    type: 'bar',
    data: { datasets },
    options: {
      ...CHART_BASE,
      interaction: BY_MINUTE,
      scales: {
        x: { type: 'linear', ticks: { maxTicksLimit: 14 }, title: { display: true, text: labels.minutes } },
        y: { beginAtZero: true, position: 'left', title: { display: true, text: labels.cumulative }, ticks: { callback: (v) => formatWonHeadline(Number(v), lang), maxTicksLimit: 6 } },
        y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: labels.perMinute } },
      },
    },
  };
}
