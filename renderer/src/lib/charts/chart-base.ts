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

/** Over minutes, one tooltip lists every series at the minute hovered. */
export const BY_MINUTE = { mode: 'index', intersect: false } as const;
