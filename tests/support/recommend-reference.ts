/**
 * The recommendation searches as they were before they were made parallel
 * (one run after another, plain bisection): kept as the reference the faster
 * search must agree with (shared/simulation/recommend.test.ts).
 */
import { z } from 'zod';
import type { SimParams } from '../../shared/simulation/params.js';
import type { SimResult } from '../../shared/simulation/result.js';

/** Runs one simulation; the console passes a worker pool, tests pass the engine itself. */
export type RunSimulation = (params: SimParams, onProgress: (fraction: number) => void) => Promise<SimResult>;

export const BACKING_KEYS = ['session', 'admission', 'cutoff-on', 'cutoff-off'] as const;
export type BackingKey = (typeof BACKING_KEYS)[number];

export interface BackingRun {
  /** What the recommendation refers to; the console names it in the reader's language. */
  key: BackingKey;
  result: SimResult;
}

export const recommendationsSchema = z.object({
  targetSellOutMinutes: z.number(),
  /** Active checkout sessions the servers can carry. */
  capacity: z.number().nullable(),
  session: z.object({
    /** Smallest whole-minute timeout under which nobody waiting is logged out. */
    minutes: z.number(),
    baselineLogouts: z.number(),
    backing: z.string(),
  }),
  admission: z.discriminatedUnion('feasible', [
    z.object({ feasible: z.literal(true), perMinute: z.number(), sellOutMinute: z.number(), peakActive: z.number(), backing: z.string() }),
    z.object({
      feasible: z.literal(false),
      reason: z.enum(['capacity', 'stock']),
      perMinute: z.number(),
      sellOutMinute: z.number().nullable(),
      peakActive: z.number(),
      backing: z.string(),
    }),
  ]),
  cutoff: z.object({
    hoursWithout: z.number(),
    hoursWith: z.number(),
    savedHours: z.number(),
    cutPeople: z.number(),
    amountSoldWithout: z.number(),
    amountSoldWith: z.number(),
    backingWith: z.string(),
    backingWithout: z.string(),
  }),
});
export type Recommendations = z.infer<typeof recommendationsSchema>;

export interface RecommendOptions {
  targetSellOutMinutes: number;
  /** The base scenario's own result, when it has been run already. */
  baseline?: SimResult;
  /** Progress over the whole search, 0..1. */
  onProgress?: (fraction: number) => void;
}

/** Admission rates are recommended in steps people configure: 50 a minute. */
const RATE_STEP = 50;

/**
 * The three recommendations the console makes for a sale, each backed by a
 * simulation of it. All searches run on the base scenario's seed, so runs
 * differ only in the setting searched (common random numbers).
 */
export async function recommendSequential(base: SimParams, run: RunSimulation, options: RecommendOptions): Promise<{ recommendations: Recommendations; backing: BackingRun[] }> {
  const backing: BackingRun[] = [];
  // Rough budget of runs for the progress bar: 2 session, 1 cut-off, ~10 admission.
  const expectedRuns = options.baseline ? 13 : 14;
  let done = 0;
  const tracked = async (params: SimParams): Promise<SimResult> => {
    const offset = done;
    const r = await run(params, (f) => options.onProgress?.(Math.min(0.99, (offset + f) / expectedRuns)));
    done++;
    options.onProgress?.(Math.min(0.99, done / expectedRuns));
    return r;
  };

  const capacity = base.waitingRoom.maxActiveSessions ?? base.capacity.maxConnections;

  // 1. Session timeout: with the room keeping places nobody is logged out; the
  // longest wait in that run is the shortest timeout that logs nobody out.
  const baseline = options.baseline ?? (await tracked(base));
  const kept = await tracked({ ...base, session: { ...base.session, policy: 'room_keeps_place' } });
  let minutes = Math.max(1, Math.ceil(kept.maxSessionMinutes));
  let confirm = await tracked({ ...base, session: { policy: 'expires_while_waiting', timeoutMinutes: minutes } });
  // Common random numbers make the confirming run identical when nobody is logged out; guard anyway.
  for (let i = 0; confirm.logouts > 0 && i < 3; i++) {
    minutes = Math.ceil(Math.max(minutes + 1, confirm.maxSessionMinutes, minutes * 1.1));
    confirm = await tracked({ ...base, session: { policy: 'expires_while_waiting', timeoutMinutes: minutes } });
  }
  backing.push({ key: 'session', result: confirm });

  // 2. Stock-aware cut-off: the same sale with and without it.
  const withCut = base.waitingRoom.stockCutoff ? baseline : await tracked({ ...base, waitingRoom: { ...base.waitingRoom, stockCutoff: true } });
  const withoutCut = base.waitingRoom.stockCutoff ? await tracked({ ...base, waitingRoom: { ...base.waitingRoom, stockCutoff: false } }) : baseline;
  backing.push({ key: 'cutoff-on', result: withCut });
  backing.push({ key: 'cutoff-off', result: withoutCut });

  // 3. Admission rate: the smallest rate (in steps of 50/min) that sells out
  // within the target, with sessions keeping their place so the rate is not
  // confused with logouts, and active sessions left unbounded so the peak
  // shows what the servers would have to carry.
  const target = options.targetSellOutMinutes;
  const scenario = (perMinute: number): SimParams => ({
    ...base,
    session: { policy: 'room_keeps_place', timeoutMinutes: null },
    waitingRoom: { ...base.waitingRoom, admissionPerMinute: perMinute, maxActiveSessions: null },
  });
  const meets = (r: SimResult) => r.soldOutMinute !== null && r.soldOutMinute <= target;
  // Enough admissions per minute to admit every possible buyer within the target, twice over.
  const limitUnits = Math.max(1, Math.floor(base.purchase.limit / base.sale.unit));
  const meanUnits = base.purchase.fullLimitShare * limitUnits + (1 - base.purchase.fullLimitShare) * Math.max(1, limitUnits / 2);
  const buyersNeeded = base.sale.stock / base.sale.unit / meanUnits;
  let lo = RATE_STEP;
  let hi = Math.max(RATE_STEP, Math.ceil((2 * buyersNeeded) / target / RATE_STEP) * RATE_STEP);
  let hiRun = await tracked(scenario(hi));
  // If even that fails (too few visitors, failures, give-ups), double a few times before giving up.
  for (let i = 0; !meets(hiRun) && i < 3; i++) {
    hi *= 2;
    hiRun = await tracked(scenario(hi));
  }
  let admission: Recommendations['admission'];
  if (!meets(hiRun)) {
    admission = { feasible: false, reason: 'stock', perMinute: hi, sellOutMinute: hiRun.soldOutMinute, peakActive: hiRun.peakActive, backing: 'admission' };
    backing.push({ key: 'admission', result: hiRun });
  } else {
    let best = { rate: hi, result: hiRun };
    while (hi - lo > RATE_STEP) {
      const mid = Math.round((lo + hi) / 2 / RATE_STEP) * RATE_STEP;
      if (mid <= lo || mid >= hi) break;
      const r = await tracked(scenario(mid));
      if (meets(r)) {
        hi = mid;
        best = { rate: mid, result: r };
      } else {
        lo = mid;
      }
    }
    const within = capacity === null || best.result.peakActive <= capacity;
    admission = within
      ? { feasible: true, perMinute: best.rate, sellOutMinute: best.result.soldOutMinute!, peakActive: best.result.peakActive, backing: 'admission' }
      : { feasible: false, reason: 'capacity', perMinute: best.rate, sellOutMinute: best.result.soldOutMinute, peakActive: best.result.peakActive, backing: 'admission' };
    backing.push({ key: 'admission', result: best.result });
  }
  options.onProgress?.(1);

  return {
    recommendations: {
      targetSellOutMinutes: target,
      capacity,
      session: { minutes, baselineLogouts: baseline.logouts, backing: 'session' },
      admission,
      cutoff: {
        hoursWithout: withoutCut.personHoursLost,
        hoursWith: withCut.personHoursLost,
        savedHours: withoutCut.personHoursLost - withCut.personHoursLost,
        cutPeople: withCut.outcomes.cut,
        amountSoldWithout: withoutCut.amountSold,
        amountSoldWith: withCut.amountSold,
        backingWith: 'cutoff-on',
        backingWithout: 'cutoff-off',
      },
    },
    backing,
  };
}
