import { z } from 'zod';
import { simParamsSchema } from './params.js';

export const OUTCOMES = ['bought', 'abandoned', 'loggedOutLeft', 'cut', 'soldOut', 'closed', 'paymentFailed', 'refusedLeft'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const waitStatsSchema = z.object({
  count: z.number(),
  meanMinutes: z.number(),
  p50Minutes: z.number(),
  p90Minutes: z.number(),
  p99Minutes: z.number(),
  maxMinutes: z.number(),
});
export type WaitStats = z.infer<typeof waitStatsSchema>;

const nullableNumbers = z.array(z.number().nullable());

/** Per-minute series from the start of the pre-opening window; index 0 is `firstMinute` relative to opening. */
export const simSeriesSchema = z.object({
  firstMinute: z.number(),
  queue: z.array(z.number()),
  active: z.array(z.number()),
  connections: z.array(z.number()),
  admissions: z.array(z.number()),
  arrivals: z.array(z.number()),
  logouts: z.array(z.number()),
  abandons: z.array(z.number()),
  refused: z.array(z.number()),
  stockLeft: z.array(z.number()),
  sold: z.array(z.number()),
  /** The wait the waiting page showed someone joining at that minute. */
  displayedWait: nullableNumbers,
  /** The wait people who joined in that minute actually had before admission (mean). */
  actualWait: nullableNumbers,
});
export type SimSeries = z.infer<typeof simSeriesSchema>;

/**
 * What the waiting page would have displayed, judged against what happened.
 * naive: people ahead ÷ admission rate (what pages show, 1,036 minutes in 2022).
 * honest: only the people ahead expected to reach the front (the share seen so
 * far), and "you are past the remaining stock" when even they need more than
 * the stock left; with a p25–p75 band of its errors in this run.
 * misledForNothing: people shown a wait who then got nothing for lack of stock.
 */
export const estimatorsSchema = z.object({
  naive: z.object({ samples: z.number(), meanAbsMinutes: z.number(), misledForNothing: z.number() }),
  honest: z.object({
    samples: z.number(),
    meanAbsMinutes: z.number(),
    /** The actual wait fell between estimate + low and estimate + high for the middle half of those admitted. */
    bandLowMinutes: z.number(),
    bandHighMinutes: z.number(),
    /** Told "past the remaining stock" and indeed got nothing / yet were admitted after all. */
    pastStockRight: z.number(),
    pastStockWrong: z.number(),
    misledForNothing: z.number(),
  }),
  recommended: z.enum(['naive', 'honest']),
});
export type Estimators = z.infer<typeof estimatorsSchema>;

/**
 * The better estimator for the sale page: the one that leaves fewer people
 * waiting for nothing without a warning (each told wrongly "past the stock"
 * counts as one too), unless it is more than a minute worse on average for
 * those admitted.
 */
export function estimatorSummary(e: Omit<Estimators, 'recommended'>): Estimators {
  const naiveHarm = e.naive.misledForNothing;
  const honestHarm = e.honest.misledForNothing + e.honest.pastStockWrong;
  const honestBetter = honestHarm < naiveHarm ? e.honest.meanAbsMinutes <= e.naive.meanAbsMinutes + 1 : honestHarm === naiveHarm && e.honest.meanAbsMinutes < e.naive.meanAbsMinutes;
  return { ...e, recommended: honestBetter ? 'honest' : 'naive' };
}

/** A quantile of a histogram of signed whole minutes stored from -offset. */
export function quantileOfSigned(hist: Uint32Array, count: number, p: number, offset: number): number {
  if (count === 0) return 0;
  const target = Math.ceil(p * count);
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= target) return i - offset;
  }
  return hist.length - 1 - offset;
}

export const simResultSchema = z.object({
  params: simParamsSchema,
  /** Minutes after opening when the last certificate was paid for; null if stock remained. */
  soldOutMinute: z.number().nullable(),
  /**
   * Minutes after opening when the whole stock was first sold or held by people paying: admission stops here,
   * while soldOutMinute waits for the last (possibly retried) payment. Null if that never happened.
   */
  stockReservedMinute: z.number().nullable(),
  buyers: z.number(),
  amountSold: z.number(),
  stock: z.number(),
  outcomes: z.object(Object.fromEntries(OUTCOMES.map((o) => [o, z.number()])) as Record<Outcome, z.ZodNumber>),
  logouts: z.number(),
  requeues: z.number(),
  refusedConnections: z.number(),
  paymentFailures: z.number(),
  waitBuyers: waitStatsSchema,
  waitFailed: waitStatsSchema,
  /** Wait histogram: `buyers[i]` counts waits in [i·binMinutes, (i+1)·binMinutes). */
  waitHistogram: z.object({ binMinutes: z.number(), buyers: z.array(z.number()), failed: z.array(z.number()) }),
  /** Time that people who got nothing spent waiting and checking out. */
  personHoursLost: z.number(),
  /** People who waited (any time at all) and got nothing. */
  waitedForNothing: z.number(),
  displayError: z.object({
    samples: z.number(),
    meanAbsMinutes: z.number(),
    meanSignedMinutes: z.number(),
    p90AbsMinutes: z.number(),
    /** The longest wait shown to someone later admitted: those stranded by a sell-out are not in it. */
    maxDisplayedMinutes: z.number(),
    /** The longest wait the page showed anyone; absent in runs saved before it was measured. */
    longestShownMinutes: z.number().optional(),
    /** People the page showed a wait above an hour at least once; absent in older saved runs. */
    shownOverHour: z.number().optional(),
  }),
  /** The payment system (params.checkout.payment*): absent in runs saved before it was modelled. */
  payment: z
    .object({
      /** Parallel transactions it serves; null: unlimited. */
      servers: z.number().nullable(),
      attempts: z.number(),
      /** Transactions that waited past paymentTimeoutMs and failed. */
      timeouts: z.number(),
      /** Mean wait before a transaction was served, over those served (seconds). */
      meanQueueSeconds: z.number(),
      peakQueue: z.number(),
    })
    .optional(),
  /** Absent in runs saved before the honest estimator existed. */
  estimators: estimatorsSchema.optional(),
  peakConnections: z.number(),
  peakActive: z.number(),
  peakQueue: z.number(),
  /** The longest anyone waited in one go: a session at least this long logs nobody out while waiting. */
  maxSessionMinutes: z.number(),
  /** For Little's law: time-average queue length, stints joined, and mean time per stint (seconds). */
  queueing: z.object({
    horizonSeconds: z.number(),
    meanQueue: z.number(),
    stints: z.number(),
    meanStintSeconds: z.number(),
    meanServiceSeconds: z.number(),
  }),
  series: simSeriesSchema,
  events: z.number(),
  elapsedMs: z.number(),
});
export type SimResult = z.infer<typeof simResultSchema>;

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

/** Per-minute counts from a cumulative series. */
export function deltas(cumulative: Float64Array): number[] {
  return Array.from(cumulative, (v, i) => (i === 0 ? v : v - cumulative[i - 1]!));
}

export function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** A one-second histogram in bins of `binMinutes`, trailing empty bins left off. */
export function rebin(hist: Uint32Array, binMinutes: number): number[] {
  const width = binMinutes * 60;
  const out: number[] = [];
  for (let i = 0; i < hist.length; i++) {
    const b = Math.floor(i / width);
    if (hist[i]) {
      while (out.length <= b) out.push(0);
      out[b]! += hist[i]!;
    }
  }
  return out;
}

/** The p-quantile of `n` samples in one-minute bins, as the bin's upper edge. */
export function quantileOfMinuteHist(hist: Uint32Array, n: number, q: number): number {
  if (n === 0) return 0;
  const target = Math.ceil(q * n);
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= target) return i + 1;
  }
  return hist.length;
}
