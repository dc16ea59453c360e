import { describe, expect, it } from 'vitest';
import type { ReportResult } from '#shared/reports/params.js';
import { reportChart } from './report-view.js';

const num = (n: number) => new Intl.NumberFormat('en-US').format(n);
const byDistrict: ReportResult = {
  groupBy: ['district'],
  measures: ['faceSold', 'buyers'],
  rows: [{ keys: ['11110'], values: { faceSold: 1_500_000_000, buyers: 3 } }],
  totals: { faceSold: 1_500_000_000, buyers: 3 },
  scopedTo: null,
};

/** The y axis's tick text for a value, as Chart.js would ask for it. */
function tick(result: ReportResult, measure: 'faceSold' | 'buyers', lang: 'ko' | 'en', value: number): unknown {
  const y = reportChart(result, measure, lang, num).options?.scales?.['y'] as { ticks: { callback: (v: number) => unknown } };
  return y.ticks.callback(value);
}

describe('report chart axes', () => {
  it('read money in 억/만 in Korean and in billions in English; counts stay counts', () => {
    // Expected values written by hand.
    expect(tick(byDistrict, 'faceSold', 'ko', 1_500_000_000)).toBe('15억 원');
    expect(tick(byDistrict, 'faceSold', 'ko', 250_000_000)).toBe('2억 5,000만 원');
    expect(tick(byDistrict, 'faceSold', 'en', 1_500_000_000)).toBe('₩1.5 billion');
    expect(tick(byDistrict, 'faceSold', 'en', 0)).toBe('₩0');
    expect(tick(byDistrict, 'buyers', 'ko', 1_500_000)).toBe('1,500,000');
  });
});

describe('report chart x axis', () => {
  const days = (n: number): ReportResult => ({
    groupBy: ['day'],
    measures: ['faceSold'],
    rows: Array.from({ length: n }, (_, i) => ({ keys: [new Date(Date.UTC(2022, 6, 14 + i)).toISOString().slice(0, 10)], values: { faceSold: i } })),
    totals: { faceSold: 0 },
    scopedTo: null,
  });
  const xTicks = (r: ReportResult) => (reportChart(r, 'faceSold', 'ko', num).options?.scales?.['x'] as { ticks: { autoSkip: boolean } }).ticks;

  it('leaves out day labels that do not fit (a year of days overprinted), but draws every district', () => {
    expect(xTicks(days(260)).autoSkip).toBe(true);
    expect(xTicks({ ...days(2), groupBy: ['hour'] }).autoSkip).toBe(true);
    expect(xTicks(byDistrict).autoSkip).toBe(false);
  });
});
