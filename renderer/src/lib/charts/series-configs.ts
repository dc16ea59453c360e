import type { ChartConfiguration } from 'chart.js';
import type { SimResult } from '#shared/simulation/result.js';
import { BY_MINUTE, CHART_BASE } from './chart-base.js';

const COLORS = ['#1d4f91', '#d9480f', '#2b8a3e', '#9c36b5', '#e67700', '#0b7285'];

export interface Line {
  label: string;
  values: (number | null)[];
  color?: string;
  dashed?: boolean;
}

/** Minutes relative to opening for a run's series, trimmed to where anything happened. */
export function activeRange(r: SimResult): { from: number; to: number } {
  const s = r.series;
  let last = 0;
  for (let i = s.queue.length - 1; i >= 0; i--) {
    if (s.queue[i]! > 0 || s.active[i]! > 0 || s.admissions[i]! > 0 || s.arrivals[i]! > 0) {
      last = i;
      break;
    }
  }
  return { from: 0, to: Math.min(s.queue.length - 1, last + 5) };
}

/** Tick spacing on round minutes: at most about eight ticks across the range. */
function minuteStep(minutes: number[]): number {
  const span = (minutes.at(-1) ?? 0) - (minutes[0] ?? 0);
  return [5, 10, 15, 30, 60, 120, 240, 480].find((s) => span / s <= 8) ?? 720;
}

/**
 * A line chart over minutes on a linear axis (so ticks fall on round minutes).
 * `yMax` clips outliers, such as the absurd waits a page shows when
 * admissions all but stop, so the rest of the chart stays readable.
 */
export function lineChart(minutes: number[], lines: Line[], yTitle?: string, xTitle?: string, yMax?: number): ChartConfiguration {
  return {
    type: 'line',
    data: {
      datasets: lines.map((l, i) => {
        // A line needs two points: a series with one value so far (a live sale's first minute) is drawn as a dot, not
        // left invisible, and unclipped (that value is the axis's top at minute 0: clipped, three quarters of the dot are cut).
        const single = l.values.filter((v) => v !== null && v !== undefined).length < 2;
        return {
          label: l.label,
          data: minutes.map((x, k) => ({ x, y: l.values[k] ?? null })),
          borderColor: l.color ?? COLORS[i % COLORS.length],
          backgroundColor: l.color ?? COLORS[i % COLORS.length],
          borderWidth: 1.6,
          borderDash: l.dashed ? [5, 4] : [],
          pointRadius: single ? 4 : 0,
          ...(single ? { clip: false as const } : {}),
          
          spanGaps: true,
          tension: 0.1,
        };
      }),
    },
    options: {
      ...CHART_BASE,
      interaction: BY_MINUTE,
      scales: {
        x: { type: 'linear', min: minutes[0], max: minutes.at(-1), ticks: { stepSize: minuteStep(minutes), maxTicksLimit: 14 }, title: { display: !!xTitle, text: xTitle ?? '' } },
        y: { beginAtZero: true, ...(yMax !== undefined ? { max: yMax } : {}), title: { display: !!yTitle, text: yTitle ?? '' }, ticks: { maxTicksLimit: 6 } },
      },
    },
  };
}

export function barChart(labels: string[], bars: Line[], xTitle?: string): ChartConfiguration {
  return {
    type: 'bar',
    data: {
      labels,
      datasets: bars.map((b, i) => ({ label: b.label, data: b.values, backgroundColor: b.color ?? COLORS[i % COLORS.length], borderWidth: 0 })),
    },
    options: {
      ...CHART_BASE,
      scales: { x: { stacked: true, title: { display: !!xTitle, text: xTitle ?? '' } }, y: { stacked: true, beginAtZero: true, ticks: { maxTicksLimit: 6 } } },
    },
  };
}
