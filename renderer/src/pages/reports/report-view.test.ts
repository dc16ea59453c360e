import { describe, expect, it } from 'vitest';
import type { ReportResult } from '#shared/reports/params.js';
import { everyDay, groupText, reportChart } from './report-view.js';

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

describe('the daily axis', () => {
  it('runs through every calendar day between the first and the last, across month, year and leap days', () => {
    // Written by hand from the calendar.
    expect(everyDay(['2022-07-17', '2022-07-14'])).toEqual(['2022-07-14', '2022-07-15', '2022-07-16', '2022-07-17']);
    expect(everyDay(['2022-12-30', '2023-01-02'])).toEqual(['2022-12-30', '2022-12-31', '2023-01-01', '2023-01-02']);
    expect(everyDay(['2024-02-28', '2024-03-01'])).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(everyDay(['2023-02-28', '2023-03-01'])).toEqual(['2023-02-28', '2023-03-01']);
    expect(everyDay([])).toEqual([]);
  });

  it('draws a day without sales as zero between two sale days', () => {
    const daily: ReportResult = {
      groupBy: ['day'],
      measures: ['faceSold'],
      rows: [
        { keys: ['2022-07-14'], values: { faceSold: 50_000_000 } },
        { keys: ['2022-07-17'], values: { faceSold: 20_000_000 } },
      ],
      totals: { faceSold: 70_000_000 },
      scopedTo: null,
    };
    const chart = reportChart(daily, 'faceSold', 'ko', num);
    expect(chart.data.labels).toHaveLength(4);
    expect(chart.data.datasets[0]!.data).toEqual([50_000_000, 0, 0, 20_000_000]);
    // The use rate carries the running totals through the empty days.
    const rate = reportChart(
      { ...daily, measures: ['faceSold', 'usedAmount'], rows: [{ keys: ['2022-07-14'], values: { faceSold: 100, usedAmount: 0 } }, { keys: ['2022-07-16'], values: { faceSold: 0, usedAmount: 50 } }] },
      'useRate',
      'ko',
      num,
      true,
    );
    expect(rate.data.datasets[0]!.data).toEqual([0, 0, 0.5]);
  });
});

describe('report days on screen', () => {
  const twoDays: ReportResult = {
    groupBy: ['day'],
    measures: ['faceSold'],
    rows: [
      { keys: ['2026-12-07'], values: { faceSold: 1 } },
      { keys: ['2026-12-08'], values: { faceSold: 2 } },
    ],
    totals: { faceSold: 3 },
    scopedTo: null,
  };
  it('label the chart’s day axis as the English UI writes a day, the Korean as the Korean date field does', () => {
    // Written by hand: English day first with the month in words, as the date fields show it.
    expect(reportChart(twoDays, 'faceSold', 'en', num).data.labels).toEqual(['7 Dec 2026', '8 Dec 2026']);
    expect(reportChart(twoDays, 'faceSold', 'ko', num).data.labels).toEqual(['2026-12-07', '2026-12-08']);
  });
  it('write a day cell in English as 7 Dec 2026, leave the totals row’s word and other groups alone', () => {
    expect(groupText('day', '2026-01-31', 'en')).toBe('31 Jan 2026');
    expect(groupText('day', '2026-01-31', 'ko')).toBe('2026-01-31');
    expect(groupText('day', 'Total', 'en')).toBe('Total');
    expect(groupText('district', '11440', 'en')).toBe('Mapo-gu');
  });
});
