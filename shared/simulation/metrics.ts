import type { SimResult } from './result.js';
import { formatWonHeadline, formatWonReadable } from '../common/money.js';

export interface Metric {
  key: string;
  label: string;
  value: (r: SimResult) => number | null;
  format: (v: number | null) => string;
  /** A tile's shorter reading where `format` is long (money in 억/만); `format` stays exact for tables and the PDF. */
  headline?: (v: number | null) => string;
  /** Whether a smaller value is better (for colouring differences). */
  lowerIsBetter: boolean;
}

/** The figures shown for a run and compared between runs, in one place. */
export function metrics(t: (k: string, p?: Record<string, string | number>) => string, lang: string): Metric[] {
  const n = (v: number | null) => (v === null ? '—' : new Intl.NumberFormat(lang === 'ko' ? 'ko-KR' : 'en-US', { maximumFractionDigits: 0 }).format(v));
  const min = (v: number | null) => (v === null ? t('simulation.notSoldOut') : t('simulation.minutes', { m: (Math.round(v * 10) / 10).toString() }));
  // A run's takings read as budgets are written (15억 원), on screen and in the PDF.
  const won = (v: number | null) => (v === null ? '—' : formatWonReadable(v, lang));
  const hours = (v: number | null) => (v === null ? '—' : t('simulation.personHours', { hours: n(v) }));
  return [
    { key: 'stockReserved', label: t('simulation.stockReserved'), value: (r) => r.stockReservedMinute ?? null, format: min, lowerIsBetter: true },
    { key: 'soldOut', label: t('simulation.soldOut'), value: (r) => r.soldOutMinute, format: min, lowerIsBetter: true },
    { key: 'buyers', label: t('simulation.buyers'), value: (r) => r.buyers, format: n, lowerIsBetter: false },
    { key: 'amountSold', label: t('simulation.amountSold'), value: (r) => r.amountSold, format: won, headline: (v) => (v === null ? '—' : formatWonHeadline(v, lang)), lowerIsBetter: false },
    { key: 'logouts', label: t('simulation.logouts'), value: (r) => r.logouts, format: n, lowerIsBetter: true },
    { key: 'requeues', label: t('simulation.requeues'), value: (r) => r.requeues, format: n, lowerIsBetter: true },
    { key: 'refused', label: t('simulation.refused'), value: (r) => r.refusedConnections, format: n, lowerIsBetter: true },
    { key: 'waitedForNothing', label: t('simulation.waitedForNothing'), value: (r) => r.waitedForNothing, format: n, lowerIsBetter: true },
    { key: 'personHoursLost', label: t('simulation.personHoursLost'), value: (r) => r.personHoursLost, format: hours, lowerIsBetter: true },
    { key: 'waitBuyersP50', label: t('simulation.waitBuyersP50'), value: (r) => r.waitBuyers.p50Minutes, format: min, lowerIsBetter: true },
    { key: 'waitBuyersP90', label: t('simulation.waitBuyersP90'), value: (r) => r.waitBuyers.p90Minutes, format: min, lowerIsBetter: true },
    { key: 'peakConnections', label: t('simulation.peakConnections'), value: (r) => r.peakConnections, format: n, lowerIsBetter: true },
    { key: 'peakActive', label: t('simulation.peakActive'), value: (r) => r.peakActive, format: n, lowerIsBetter: true },
    { key: 'displayError', label: t('simulation.displayError'), value: (r) => r.displayError.meanAbsMinutes, format: min, lowerIsBetter: true },
    // Runs saved before these were measured read '—', not "not sold out".
    { key: 'maxDisplayed', label: t('displayedWait.longestShown'), value: (r) => r.displayError.longestShownMinutes ?? null, format: (v) => (v === null ? '—' : min(v)), lowerIsBetter: true },
    { key: 'shownOverHour', label: t('displayedWait.shownOverHour'), value: (r) => r.displayError.shownOverHour ?? null, format: n, lowerIsBetter: true },
  ];
}

/**
 * A run's figure minus the baseline's, signed and in the metric's own unit
 * (`+1,204`, `−3.5분`), and whether that is an improvement; shared by the
 * comparison on screen and in the PDF so they cannot disagree.
 */
export function metricDelta(m: Metric, baseline: SimResult, other: SimResult): { text: string; better: boolean | null } {
  const x = m.value(baseline);
  const y = m.value(other);
  if (x === null || y === null || x === y) return { text: x === y ? '0' : '—', better: null };
  const d = y - x;
  // A difference that rounds away (0.04 min) reads 0, not "+0분".
  if (m.format(Math.abs(d)) === m.format(0)) return { text: '0', better: null };
  const sign = d > 0 ? '+' : '−';
  return { text: `${sign}${m.format(Math.abs(d))}`, better: m.lowerIsBetter ? d < 0 : d > 0 };
}

type Translate = (k: string, p?: Record<string, string | number>) => string;

/**
 * How a run is named to a reader: its own label, or for a run backing a
 * recommendation, what it shows, after the main run's label.
 */
export function runTitle(t: Translate, run: { label: string; backingKey: string | null; sessionTimeoutMinutes: number | null; admissionPerMinute: number | null }): string {
  if (!run.backingKey) return run.label;
  const what =
    run.backingKey === 'session'
      ? t('simulation.backingSession', { minutes: run.sessionTimeoutMinutes ?? 0 })
      : run.backingKey === 'admission'
        ? t('simulation.backingAdmission', { rate: run.admissionPerMinute ?? 0 })
        : run.backingKey === 'cutoff-on'
          ? t('simulation.backingCutoffOn')
          : t('simulation.backingCutoffOff');
  return `${run.label} · ${what}`;
}
