import { z } from 'zod';
import type { SimParams } from './params.js';
import type { SimResult } from './result.js';

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
  /** The base scenario's own result, or the run producing it (started alongside the searches). */
  baseline?: SimResult | Promise<SimResult>;
  /** Progress over the whole search, 0..1. */
  onProgress?: (fraction: number) => void;
}

/** Admission rates are recommended in steps people configure: 50 a minute. */
const RATE_STEP = 50;
/** Rates probed at once in the admission search: the console has two cores for runs. */
const PROBES = 2;

/**
 * The three recommendations the console makes for a sale, each backed by a
 * simulation of it. All searches run on the base scenario's seed, so runs
 * differ only in the setting searched (common random numbers).
 *
 * Speed: runs that do not depend on each other start together (the runner
 * spreads them over the cores), and the admission search starts at once and
 * probes two rates per round, cutting the bracket in three, instead of
 * halving it one run at a time. Since sell-out by
 * the target is monotone in the rate under common random numbers, it finds the
 * same smallest rate (in steps of 50) as plain bisection.
 */
export async function recommend(base: SimParams, run: RunSimulation, options: RecommendOptions): Promise<{ recommendations: Recommendations; backing: BackingRun[] }> {
  const backing: BackingRun[] = [];
  // Progress: finished runs plus the running ones' share, over a rough budget; never goes back.
  const expectedRuns = options.baseline ? 9 : 10;
  const inFlight = new Map<number, number>();
  let done = 0;
  let shown = 0;
  let nextId = 0;
  const report = () => {
    let sum = done;
    for (const f of inFlight.values()) sum += f;
    shown = Math.max(shown, Math.min(0.99, sum / expectedRuns));
    options.onProgress?.(shown);
  };
  const tracked = async (params: SimParams): Promise<SimResult> => {
    const id = nextId++;
    inFlight.set(id, 0);
    const r = await run(params, (f) => {
      inFlight.set(id, f);
      report();
    });
    inFlight.delete(id);
    done++;
    report();
    return r;
  };

  const capacity = base.waitingRoom.maxActiveSessions ?? base.capacity.maxConnections;
  const target = options.targetSellOutMinutes;

  // Started together: the baseline, the session search's run and the cut-off comparison.
  const baselineP = options.baseline !== undefined ? Promise.resolve(options.baseline) : tracked(base);
  const keptP = tracked({ ...base, session: { ...base.session, policy: 'room_keeps_place' } });
  const otherCutP = tracked({ ...base, waitingRoom: { ...base.waitingRoom, stockCutoff: !base.waitingRoom.stockCutoff } });

  // 1. Session timeout: with the room keeping places nobody is logged out; the
  // longest wait in that run is the shortest timeout that logs nobody out.
  const sessionP = (async () => {
    const kept = await keptP;
    let minutes = Math.max(1, Math.ceil(kept.maxSessionMinutes));
    let confirm = await tracked({ ...base, session: { policy: 'expires_while_waiting', timeoutMinutes: minutes } });
    // Common random numbers make the confirming run identical when nobody is logged out; guard anyway.
    for (let i = 0; confirm.logouts > 0 && i < 3; i++) {
      minutes = Math.ceil(Math.max(minutes + 1, confirm.maxSessionMinutes, minutes * 1.1));
      confirm = await tracked({ ...base, session: { policy: 'expires_while_waiting', timeoutMinutes: minutes } });
    }
    return { minutes, confirm };
  })();

  // 3. Admission rate: the smallest rate (in steps of 50/min) that sells out
  // within the target, with sessions keeping their place so the rate is not
  // confused with logouts, and active sessions left unbounded so the peak
  // shows what the servers would have to carry.
  const admissionP = (async () => {
    const scenario = (perMinute: number): SimParams => ({
      ...base,
      session: { policy: 'room_keeps_place', timeoutMinutes: null },
      waitingRoom: { ...base.waitingRoom, admissionPerMinute: perMinute, maxActiveSessions: null },
    });
    const meets = (r: SimResult) => r.soldOutMinute !== null && r.soldOutMinute <= target;
    const snap = (r: number) => Math.max(RATE_STEP, Math.round(r / RATE_STEP) * RATE_STEP);
    const limitUnits = Math.max(1, Math.floor(base.purchase.limit / base.sale.unit));
    const meanUnits = base.purchase.fullLimitShare * limitUnits + (1 - base.purchase.fullLimitShare) * Math.max(1, limitUnits / 2);
    const buyersNeeded = base.sale.stock / base.sale.unit / meanUnits;
    // As before: up to 8 times the rate that admits every possible buyer twice over within the target.
    const ceiling = 8 * Math.max(RATE_STEP, Math.ceil((2 * buyersNeeded) / target / RATE_STEP) * RATE_STEP);

    // The first pair: the rate that admits every possible buyer twice over within
    // the target, and half of it (bisection's first two probes, run at once).
    const first = Math.max(RATE_STEP, Math.ceil((2 * buyersNeeded) / target / RATE_STEP) * RATE_STEP);
    let lo = RATE_STEP; // as bisection assumed: 50 a minute is too slow
    let hi: { rate: number; result: SimResult } | null = null;
    let probes = [...new Set([snap(first / 2), first])].filter((r) => r > lo);
    if (probes.length === 0) probes = [lo + RATE_STEP];
    for (;;) {
      const results = await Promise.all(probes.map((r) => tracked(scenario(r))));
      probes.forEach((rate, i) => {
        const result = results[i]!;
        if (meets(result)) {
          if (!hi || rate < hi.rate) hi = { rate, result };
        } else if (rate > lo && (!hi || rate < hi.rate)) {
          lo = rate;
        }
      });
      const top = hi as { rate: number; result: SimResult } | null;
      if (!top) {
        if (lo >= ceiling) return { rate: lo, result: results.at(-1)!, feasible: false as const };
        probes = [snap(lo * 1.5), snap(lo * 2.25)].map((r) => Math.min(r, ceiling)).filter((r, i, a) => r > lo && a.indexOf(r) === i);
        if (probes.length === 0) return { rate: lo, result: results.at(-1)!, feasible: false as const };
        continue;
      }
      const steps = (top.rate - lo) / RATE_STEP;
      if (steps <= 1) return { rate: top.rate, result: top.result, feasible: true as const };
      probes = steps === 2 ? [lo + RATE_STEP] : [...new Set(Array.from({ length: PROBES }, (_, k) => lo + Math.round(((k + 1) * steps) / (PROBES + 1)) * RATE_STEP))].filter((r) => r > lo && r < top.rate);
    }
  })();

  const [baseline, otherCut, session, found] = await Promise.all([baselineP, otherCutP, sessionP, admissionP]);
  const withCut = base.waitingRoom.stockCutoff ? baseline : otherCut;
  const withoutCut = base.waitingRoom.stockCutoff ? otherCut : baseline;
  backing.push({ key: 'session', result: session.confirm });
  backing.push({ key: 'cutoff-on', result: withCut });
  backing.push({ key: 'cutoff-off', result: withoutCut });

  let admission: Recommendations['admission'];
  if (!found.feasible) {
    admission = { feasible: false, reason: 'stock', perMinute: found.rate, sellOutMinute: found.result.soldOutMinute, peakActive: found.result.peakActive, backing: 'admission' };
  } else {
    const within = capacity === null || found.result.peakActive <= capacity;
    admission = within
      ? { feasible: true, perMinute: found.rate, sellOutMinute: found.result.soldOutMinute!, peakActive: found.result.peakActive, backing: 'admission' }
      : { feasible: false, reason: 'capacity', perMinute: found.rate, sellOutMinute: found.result.soldOutMinute, peakActive: found.result.peakActive, backing: 'admission' };
  }
  backing.push({ key: 'admission', result: found.result });
  options.onProgress?.(1);

  return {
    recommendations: {
      targetSellOutMinutes: target,
      capacity,
      session: { minutes: session.minutes, baselineLogouts: baseline.logouts, backing: 'session' },
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
