import type { SimParams } from './params.js';

export const OUTCOMES = ['bought', 'abandoned', 'loggedOutLeft', 'cut', 'soldOut', 'closed', 'paymentFailed', 'refusedLeft'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface WaitStats {
  count: number;
  meanMinutes: number;
  p50Minutes: number;
  p90Minutes: number;
  p99Minutes: number;
  maxMinutes: number;
}

/** Per-minute series from the start of the pre-opening window; index 0 is `firstMinute` relative to opening. */
export interface SimSeries {
  firstMinute: number;
  queue: number[];
  active: number[];
  connections: number[];
  admissions: number[];
  arrivals: number[];
  logouts: number[];
  abandons: number[];
  refused: number[];
  stockLeft: number[];
  sold: number[];
  /** The wait the waiting page showed someone joining at that minute. */
  displayedWait: (number | null)[];
  /** The wait people who joined in that minute actually had before admission (mean). */
  actualWait: (number | null)[];
}

export interface SimResult {
  params: SimParams;
  /** Minutes after opening when the last certificate was paid for; null if stock remained. */
  soldOutMinute: number | null;
  buyers: number;
  amountSold: number;
  stock: number;
  outcomes: Record<Outcome, number>;
  logouts: number;
  requeues: number;
  refusedConnections: number;
  paymentFailures: number;
  waitBuyers: WaitStats;
  waitFailed: WaitStats;
  /** Wait histogram in minutes: `bins[i]` counts waits in [i·binMinutes, (i+1)·binMinutes). */
  waitHistogram: { binMinutes: number; buyers: number[]; failed: number[] };
  /** Time that people who got nothing spent waiting and checking out. */
  personHoursLost: number;
  /** People who waited (any time at all) and got nothing. */
  waitedForNothing: number;
  displayError: { samples: number; meanAbsMinutes: number; meanSignedMinutes: number; p90AbsMinutes: number; maxDisplayedMinutes: number };
  peakConnections: number;
  peakActive: number;
  peakQueue: number;
  /** The longest anyone waited in one go: a session at least this long logs nobody out while waiting. */
  maxSessionMinutes: number;
  /** For Little's law: time-average queue length, stints joined, and mean time per stint (seconds). */
  queueing: { horizonSeconds: number; meanQueue: number; stints: number; meanStintSeconds: number; meanServiceSeconds: number };
  series: SimSeries;
  events: number;
  elapsedMs: number;
}

/** Quantiles from a histogram of 1-second bins. */
export function statsFromSeconds(hist: Uint32Array, count: number, sumSeconds: number, maxSeconds: number): WaitStats {
  const q = (p: number): number => {
    if (count === 0) return 0;
    const target = Math.ceil(p * count);
    let seen = 0;
    for (let i = 0; i < hist.length; i++) {
      seen += hist[i]!;
      if (seen >= target) return i / 60;
    }
    return (hist.length - 1) / 60;
  };
  return {
    count,
    meanMinutes: count ? sumSeconds / count / 60 : 0,
    p50Minutes: q(0.5),
    p90Minutes: q(0.9),
    p99Minutes: q(0.99),
    maxMinutes: maxSeconds / 60,
  };
}
