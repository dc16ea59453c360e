import type { ChartConfiguration } from 'chart.js';

/**
 * What every console chart shares: it fills the box it is given, draws at once (a report's PDF takes the
 * chart's picture straight away, so nothing may still be animating), and keeps its legend underneath.
 */
export const CHART_BASE = {
  responsive: true,
  maintainAspectRatio: false,
  animation: false,
  plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
} as const;

/**
 * A money axis reads in 억/만 (`50억 원`, `₩5 billion`) instead of twelve-digit
 * ticks; the tooltip keeps the chart's exact value.
 */
export function withMoneyAxis<C extends ChartConfiguration>(config: C, format: (won: number) => string): C {
  const y = config.options?.scales?.['y'];
  if (y) y.ticks = { ...y.ticks, callback: (v) => format(Number(v)) };
  return config;
}

/** Over minutes, one tooltip lists every series at the minute hovered. */
export const BY_MINUTE = { mode: 'index', intersect: false } as const;
