import type { SaleMonitorView } from '#shared/api/sale-schemas.js';
import type { SaleChange } from '#shared/rounds/steering.js';
import type { SaleMonitor } from '#shared/sync/sale-monitor-wire.js';

/** The key of the sale's state as the header badge says it; a stop or a sell-out outranks a pause. */
export function saleStateKey(m: SaleMonitor): string {
  if (m.stopped) return 'saleMonitor.stateStopped';
  if (m.soldOut) return 'saleMonitor.stateSoldOut';
  if (Date.parse(m.at) >= Date.parse(m.closesAt)) return 'saleMonitor.stateClosed';
  if (m.paused) return 'saleMonitor.statePaused';
  return 'saleMonitor.stateOpen';
}

/** The last complete minute's count of a per-minute series (the current minute is still filling); 0 before one has passed. */
export function lastFullMinute(series: number[]): number {
  return series.length >= 2 ? series[series.length - 2]! : 0;
}

/**
 * The sale curve beside the simulation the round was approved on, on one
 * axis of minutes after opening: the live running sum up to the current
 * minute, the simulated cumulative curve as far as it goes (or the closing).
 */
export function saleCurves(v: SaleMonitorView): { minutes: number[]; live: (number | null)[]; simulated: (number | null)[] | null } {
  const m = v.live;
  const liveLast = m.perMinute.firstMinute + m.perMinute.sold.length - 1;
  const closeMinute = Math.ceil((Date.parse(m.closesAt) - Date.parse(m.opensAt)) / 60_000);
  const sim = v.simulated;
  // A sold-out simulation is flat after its sell-out: drawn five minutes past it, its last value held.
  const simEnd = sim ? (sim.soldOutMinute !== null ? Math.ceil(sim.soldOutMinute) + 5 : sim.firstMinute + sim.sold.length - 1) : liveLast;
  const simLast = Math.min(closeMinute, simEnd);
  const from = 0;
  const to = Math.max(liveLast, simLast, 5);
  const minutes = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const running: number[] = [];
  let total = 0;
  for (const won of m.perMinute.sold) running.push((total += won));
  const live = minutes.map((x) => (x <= liveLast ? (running[x - m.perMinute.firstMinute] ?? 0) : null));
  const simulated = sim ? minutes.map((x) => (x <= simLast ? (sim.sold[x - sim.firstMinute] ?? sim.sold.at(-1) ?? null) : null)) : null;
  return { minutes, live, simulated };
}

/** A wait in seconds as the tiles show it: seconds under two minutes, whole minutes beyond. */
export function waitLabel(seconds: number, t: (key: string, p: Record<string, number>) => string): string {
  return seconds < 120 ? t('saleMonitor.seconds', { n: seconds }) : t('saleMonitor.minutes', { n: Math.round(seconds / 60) });
}

/** A steering change in words, for the proposals waiting and the confirmations. */
export function changeText(c: SaleChange, t: (key: string, p?: Record<string, string | number>) => string, won: (n: number) => string): string {
  switch (c.kind) {
    case 'pause':
      return t('saleSteering.changePause');
    case 'resume':
      return t('saleSteering.changeResume');
    case 'settings':
      return t('saleSteering.changeSettings', { rate: c.admissionPerMinute, active: c.maxActiveSessions, timeout: c.sessionTimeoutMinutes });
    case 'add_stock':
      return t('saleSteering.changeAddStock', { amount: won(c.amount) });
    case 'stop':
      return t('saleSteering.changeStop');
  }
}
