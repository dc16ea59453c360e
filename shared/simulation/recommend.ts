import { z } from 'zod';
import type { SimParams } from './params.js';
import type { SimResult } from './result.js';
import { paymentTpsFor } from './payment-sizing.js';
import { RECOMMEND_SEEDS, searchSeeds, seedCheck, seedCheckSchema, upperBound } from './seed-spread.js';

/** Runs one simulation; the console passes a worker pool, tests pass the engine itself. */
export type RunSimulation = (params: SimParams, onProgress: (fraction: number) => void) => Promise<SimResult>;
/**
 * A run that may stop with null once the sale has not sold out `soldOutByMinute`
 * minutes after opening (engine.simulateIfSoldOutBy); otherwise the full result.
 */
export type ProbeSimulation = (params: SimParams, soldOutByMinute: number, onProgress: (fraction: number) => void) => Promise<SimResult | null>;

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
    /** The longest wait on each seed searched, and on how many the timeout logs nobody out; absent in older runs. */
    check: seedCheckSchema.optional(),
  }),
  admission: z.discriminatedUnion('feasible', [
    z.object({
      feasible: z.literal(true),
      perMinute: z.number(),
      sellOutMinute: z.number(),
      peakActive: z.number(),
      backing: z.string(),
      /** The sell-out minute (last payment) on each seed searched, and on how many it met the target; absent in older runs. */
      check: seedCheckSchema.optional(),
    }),
    z.object({
      feasible: z.literal(false),
      reason: z.enum(['capacity', 'stock']),
      perMinute: z.number(),
      sellOutMinute: z.number().nullable(),
      peakActive: z.number(),
      backing: z.string(),
      check: seedCheckSchema.optional(),
    }),
  ]),
  /** The payment capacity the admission rate needs to meet the target; absent in older runs and when no rate meets it. */
  payment: z
    .object({
      tps: z.number(),
      /** The latency and time-out it was searched under: the sale's own, or the stated assumption. */
      latencyMs: z.number(),
      timeoutMs: z.number().nullable(),
      admissionPerMinute: z.number(),
      feasible: z.boolean(),
      /** The sell-out minute (last payment) on each seed searched at that capacity. */
      check: seedCheckSchema,
    })
    .optional(),
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
  /** Admission probes that stop early when they miss the target; without it, probes are full runs. */
  probe?: ProbeSimulation;
  /**
   * How many seeds every recommendation is searched and checked on (the base
   * seed and the ones after it); 1 is the single-run search of before.
   */
  seeds?: number;
  /** Search the payment capacity the admission rate needs (default); off, the searches are those of before. */
  paymentSearch?: boolean;
}

/** Admission rates are recommended in steps people configure: 50 a minute. */
const RATE_STEP = 50;
/** Payment capacity is recommended in steps of 5 transactions a second. */
const TPS_STEP = 5;
/** Searched up to this; a need beyond it says the sale is not limited by what a payment system can buy. */
const TPS_CEILING = 100_000;
/** Where the sale sets no payment latency or time-out, the capacity is searched under these, and says so. */
export const ASSUMED_PAYMENT_LATENCY_MS = 1_000;
export const ASSUMED_PAYMENT_TIMEOUT_MS = 30_000;

/** The settings of a session-timeout run: the room lets sessions expire after `minutes`. */
export const sessionScenario = (base: SimParams, minutes: number): SimParams => ({ ...base, session: { policy: 'expires_while_waiting', timeoutMinutes: minutes } });
/** The base sale with the room keeping places: nobody is logged out. */
export const keptScenario = (base: SimParams): SimParams => ({ ...base, session: { ...base.session, policy: 'room_keeps_place' } });
/**
 * The admission search's runs: sessions keep their place so the rate is not
 * confused with logouts, and active sessions are left unbounded so the peak
 * shows what the servers would have to carry.
 */
export const admissionScenario = (base: SimParams, perMinute: number): SimParams => ({
  ...base,
  session: { policy: 'room_keeps_place', timeoutMinutes: null },
  waitingRoom: { ...base.waitingRoom, admissionPerMinute: perMinute, maxActiveSessions: null },
});

/** The admission scenario at `perMinute` with a payment system of `tps` (the sale's latency and time-out, or the assumed ones). */
export const paymentScenario = (base: SimParams, perMinute: number, tps: number): SimParams => {
  const p = admissionScenario(base, perMinute);
  return {
    ...p,
    checkout: {
      ...p.checkout,
      paymentCapacityTps: tps,
      paymentLatencyMs: base.checkout.paymentLatencyMs || ASSUMED_PAYMENT_LATENCY_MS,
      paymentTimeoutMs: base.checkout.paymentTimeoutMs ?? ASSUMED_PAYMENT_TIMEOUT_MS,
    },
  };
};

/**
 * The three recommendations the console makes for a sale, each backed by
 * simulations of it. A recommendation that held on one run may fail on the
 * next day like it (issue 20: the timeout searched on one seed logged 114,530
 * people out on another), so the session and admission searches run on
 * `seeds` seeds at once (the base seed first, common random numbers: every
 * setting tried sees the same seeds) and a setting is recommended only when
 * it holds on all of them with the margin of seed-spread.ts's upperBound, so
 * that it holds on ≥ 95% of seeds it never saw. With one seed they recommend
 * what plain bisection over every run did (tests/support/recommend-reference.ts),
 * from far fewer runs:
 *
 * - Session timeout: the longest wait of the run where the room keeps places
 *   IS the answer for that seed. The run with that timeout is not run again:
 *   when every stint is shorter than the timeout no expiry fires and no
 *   random number is drawn differently, so it is the kept run event for
 *   event (proved by recommend.test.ts); only its settings differ.
 * - Admission rate: the same kept runs are the admission scenario at the
 *   base rate whenever active sessions never reached their cap, so they
 *   bracket the answer for free, and their stock-out times predict the rate
 *   the target needs (admissions to sell out ÷ minutes left before the last
 *   checkouts, per seed). The base seed alone is searched so: the two rates
 *   around the prediction probed at once, a probe stopping as soon as the
 *   target minute passes with stock unsold (sell-out by the target is
 *   monotone in the rate under common random numbers, so this is bisection's
 *   answer for that seed). That rate is then verified on every seed at once;
 *   if the seeds miss the margin, their own runs predict the rate that meets
 *   it, which is verified in turn. The rate recommended holds on every seed
 *   with the margin; it may sit a step or two above the fewest that would.
 * - Payment capacity: M/M/c sizing (payment-sizing.ts) verified on every seed.
 * - Cut-off: the base sale with the cut-off switched, alongside (one seed:
 *   it compares two settings, it sets no threshold).
 */
export async function recommend(base: SimParams, run: RunSimulation, options: RecommendOptions): Promise<{ recommendations: Recommendations; backing: BackingRun[] }> {
  const backing: BackingRun[] = [];
  const seeds = searchSeeds(base.seed, Math.max(1, options.seeds ?? RECOMMEND_SEEDS));
  const n = seeds.length;
  const onSeeds = (params: SimParams): SimParams[] => seeds.map((seed) => ({ ...params, seed }));
  // Progress: finished runs plus the running ones' share, over a rough budget (the kept runs, one
  // round of two probes on every seed, the baseline and the cut-off); never goes back.
  const expectedRuns = 3 * n + (options.baseline ? 1 : 2);
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
  const track = async <T>(go: (onProgress: (f: number) => void) => Promise<T>): Promise<T> => {
    const id = nextId++;
    inFlight.set(id, 0);
    const r = await go((f) => {
      inFlight.set(id, f);
      report();
    });
    inFlight.delete(id);
    done++;
    report();
    return r;
  };
  const tracked = (params: SimParams) => track((onProgress) => run(params, onProgress));
  const target = options.targetSellOutMinutes;
  const probe = options.probe ?? ((params: SimParams, _minutes: number, onProgress: (f: number) => void) => run(params, onProgress));
  const probed = (params: SimParams) => track((onProgress) => probe(params, target, onProgress));

  const capacity = base.waitingRoom.maxActiveSessions ?? base.capacity.maxConnections;

  // Started together: the baseline, the runs the session and admission searches share, and the cut-off comparison.
  const baselineP = options.baseline !== undefined ? Promise.resolve(options.baseline) : tracked(base);
  const keptRuns = onSeeds(keptScenario(base)).map(tracked);
  const keptP = Promise.all(keptRuns);
  const otherCutP = tracked({ ...base, waitingRoom: { ...base.waitingRoom, stockCutoff: !base.waitingRoom.stockCutoff } });

  // 1. Session timeout: the smallest whole minute longer than every seed's longest wait, and than their tolerance bound.
  const sessionP = (async () => {
    const kept = await keptP;
    const longest = kept.map((k) => k.maxSessionMinutes);
    // A wait of exactly the timeout is logged out (expiry goes before admission at the same instant): one minute more.
    const minutes = Math.max(1, Math.floor(upperBound(longest)) + 1);
    const check = seedCheck(longest, (l) => l !== null && l < minutes);
    return { minutes, check, confirm: { ...kept[0]!, params: sessionScenario(base, minutes) } };
  })();

  // 3. Admission rate: searched on the base seed alone (cheap: two probes a round, each on one seed), then
  // verified on every seed at once; a rate that fails the margin there is stepped up and verified again.
  const admissionP = (async () => {
    const scenario = (perMinute: number) => admissionScenario(base, perMinute);
    /** Every seed sold out (a probe that missed is null) and the tolerance bound of their sell-out minutes is within the target. */
    const meets = (rs: readonly (SimResult | null)[]): rs is SimResult[] =>
      rs.every((r) => r !== null && r.soldOutMinute !== null && r.soldOutMinute <= target) && upperBound(rs.map((r) => r!.soldOutMinute!)) <= target;
    const snap = (r: number) => Math.max(RATE_STEP, Math.round(r / RATE_STEP) * RATE_STEP);
    const limitUnits = Math.max(1, Math.floor(base.purchase.limit / base.sale.unit));
    const meanUnits = base.purchase.fullLimitShare * limitUnits + (1 - base.purchase.fullLimitShare) * Math.max(1, limitUnits / 2);
    const buyersNeeded = base.sale.stock / base.sale.unit / meanUnits;
    // The rate that admits every possible buyer twice over within the target; as before, up to 8 times it.
    const first = Math.max(RATE_STEP, Math.ceil((2 * buyersNeeded) / target / RATE_STEP) * RATE_STEP);
    const ceiling = 8 * first;
    /**
     * The smallest rate in steps of 50 at which runs at `rate` predict the target met on every seed
     * with the margin: each seed's admissions until its stock ran out, spread over the minutes before
     * its last checkouts. Null when a run did not sell out or leaves no room before the target.
     */
    const predict = (rate: number, rs: readonly SimResult[]): number | null => {
      if (rs.some((r) => r.soldOutMinute === null || r.stockReservedMinute === null || r.stockReservedMinute <= 0 || r.soldOutMinute - r.stockReservedMinute >= target)) return null;
      const at = (candidate: number) => upperBound(rs.map((r) => (rate * r.stockReservedMinute!) / candidate + (r.soldOutMinute! - r.stockReservedMinute!))) <= target;
      for (let c = RATE_STEP; c <= ceiling + RATE_STEP; c += RATE_STEP) if (at(c)) return c;
      return null;
    };

    /** The smallest rate meeting the target with the margin on `on` (whose kept runs are `kept`), by bracketing. */
    const search = async (on: readonly number[], kept: readonly SimResult[]): Promise<{ rate: number; results: SimResult[] | null; feasible: boolean }> => {
      const onThese = (params: SimParams): SimParams[] => on.map((seed) => ({ ...params, seed }));
      let lo = RATE_STEP; // as bisection assumed: 50 a minute is too slow
      let hi: { rate: number; results: SimResult[] | null } | null = null;
      let estimate: number | null = null;
      const baseRate = base.waitingRoom.admissionPerMinute;
      const cap = base.waitingRoom.maxActiveSessions;
      if (baseRate !== null) {
        // The kept runs are the admission scenario at the base rate when the cap on active sessions never bit.
        if (cap === null || kept.every((k) => k.peakActive < cap)) {
          if (meets(kept)) hi = { rate: Math.ceil(baseRate / RATE_STEP) * RATE_STEP, results: baseRate % RATE_STEP === 0 ? kept.map((k) => ({ ...k, params: { ...scenario(baseRate), seed: k.params.seed } })) : null };
          else lo = Math.max(lo, Math.floor(baseRate / RATE_STEP) * RATE_STEP);
        }
        estimate = predict(baseRate, kept);
      }
      if (hi && hi.rate <= lo) hi = null; // a base rate below 50 says nothing the search does not assume

      for (;;) {
        const top = hi as { rate: number; results: SimResult[] | null } | null;
        if (top && top.rate - lo <= RATE_STEP) return { rate: top.rate, results: top.results, feasible: true };
        if (!top && lo >= ceiling) return { rate: ceiling, results: null, feasible: false };
        const upper = top ? top.rate : ceiling + RATE_STEP;
        const inside = (r: number) => r > lo && r < upper;
        let probes: number[] = [];
        if (estimate !== null) {
          // The rate predicted and the one just below it: if the prediction is right, this round ends the search.
          probes = [estimate - RATE_STEP, estimate].filter(inside);
          estimate = null;
        }
        if (probes.length === 0) {
          if (top) {
            const steps = (top.rate - lo) / RATE_STEP;
            probes = steps === 2 ? [lo + RATE_STEP] : [...new Set([1, 2].map((k) => lo + Math.round((k * steps) / 3) * RATE_STEP))].filter(inside);
          } else {
            probes = [...new Set([snap(lo * 1.5), snap(lo * 2.25)].map((r) => Math.min(r, ceiling)))].filter(inside);
          }
        }
        const results = await Promise.all(probes.map((r) => Promise.all(onThese(scenario(r)).map(probed))));
        probes.forEach((rate, i) => {
          const rs = results[i]!;
          if (meets(rs)) {
            if (!hi || rate < hi.rate) hi = { rate, results: rs };
          } else if (rate > lo) lo = rate;
        });
        // The lowest rate that met predicts the next probes, if the bracket is still open.
        if (hi && hi.results) estimate = predict(hi.rate, hi.results);
      }
    };

    if (n === 1) {
      const one = await search(seeds, [await keptRuns[0]!]);
      return { rate: one.rate, results: one.results ?? (await Promise.all(onSeeds(scenario(one.rate)).map(tracked))), feasible: one.feasible };
    }
    // The base seed's search, then every seed at that rate; on a miss the seeds' own runs predict the rate
    // that meets the margin (or, when some did not sell out, a quarter more), and that is verified in turn.
    const one = await search(seeds.slice(0, 1), [await keptRuns[0]!]);
    // The kept runs of every seed predict, with the margin, the rate they need: verifying the larger of
    // that and the base seed's answer first spares a round that one seed's answer alone would fail.
    const kept = await keptP;
    const baseRate = base.waitingRoom.admissionPerMinute;
    const cap = base.waitingRoom.maxActiveSessions;
    const fromKept = baseRate !== null && (cap === null || kept.every((k) => k.peakActive < cap)) ? predict(baseRate, kept) : null;
    let rate = Math.max(one.rate, fromKept ?? 0);
    for (;;) {
      if (rate > ceiling) return { rate: ceiling, results: await Promise.all(onSeeds(scenario(ceiling)).map(tracked)), feasible: false as const };
      // The base seed at the rate its own search ended on has run already (same settings, same seed: the same run).
      const rs = await Promise.all(onSeeds(scenario(rate)).map((p, i) => (i === 0 && rate === one.rate && one.results ? one.results[0]! : probed(p))));
      if (meets(rs)) return { rate, results: rs, feasible: true as const };
      const sold = rs.every((r) => r !== null) ? predict(rate, rs as SimResult[]) : null;
      rate = Math.max(rate + RATE_STEP, sold ?? Math.ceil((rate * 1.25) / RATE_STEP) * RATE_STEP);
    }
  })();

  /**
   * 4. Payment capacity: at the recommended admission rate, the capacity (in steps of 5 a second) at
   * which M/M/c expects no payment to time out (payment-sizing.ts), verified on every seed: each must
   * sell out within the target with the margin and no time-out. A miss steps up by a tenth (at least
   * 5) and verifies again; the first capacity all seeds meet is recommended.
   */
  const paymentP = (async () => {
    const found = await admissionP;
    if (!found.feasible || options.paymentSearch === false) return undefined;
    const rate = found.rate;
    const meets = (rs: readonly (SimResult | null)[]): rs is SimResult[] =>
      rs.every((r) => r !== null && r.soldOutMinute !== null && r.soldOutMinute <= target && (r.payment?.timeouts ?? 0) === 0) && upperBound(rs.map((r) => r!.soldOutMinute!)) <= target;
    const latencyS = (base.checkout.paymentLatencyMs || ASSUMED_PAYMENT_LATENCY_MS) / 1000;
    const timeoutS = (base.checkout.paymentTimeoutMs ?? ASSUMED_PAYMENT_TIMEOUT_MS) / 1000;
    // Every admitted person pays at most once a try: the admission rate bounds the payments a second.
    const buyers = found.results.reduce((most, r) => Math.max(most, r.outcomes.bought), 0);
    let tps = Math.min(TPS_CEILING, paymentTpsFor(rate / 60, latencyS, timeoutS, Math.max(1, buyers), TPS_STEP));
    for (;;) {
      const rs = await Promise.all(onSeeds(paymentScenario(base, rate, tps)).map(probed));
      if (meets(rs)) return { tps, results: rs, feasible: true };
      if (tps >= TPS_CEILING) return { tps, results: rs.filter((r): r is SimResult => r !== null), feasible: false };
      tps = Math.min(TPS_CEILING, tps + Math.max(TPS_STEP, Math.ceil(tps / 10 / TPS_STEP) * TPS_STEP));
    }
  })();

  const [baseline, otherCut, session, found, paymentFound] = await Promise.all([baselineP, otherCutP, sessionP, admissionP, paymentP]);
  const withCut = base.waitingRoom.stockCutoff ? baseline : otherCut;
  const withoutCut = base.waitingRoom.stockCutoff ? otherCut : baseline;
  backing.push({ key: 'session', result: session.confirm });
  backing.push({ key: 'cutoff-on', result: withCut });
  backing.push({ key: 'cutoff-off', result: withoutCut });

  // The base seed's run is the one shown; the seeds' spread says how far other days may fall from it.
  const shownRun = found.results[0]!;
  const peakActive = Math.max(...found.results.map((r) => r.peakActive));
  const check = seedCheck(
    found.results.map((r) => r.soldOutMinute),
    (m) => m !== null && m <= target,
  );
  let admission: Recommendations['admission'];
  if (!found.feasible) {
    admission = { feasible: false, reason: 'stock', perMinute: found.rate, sellOutMinute: shownRun.soldOutMinute, peakActive, backing: 'admission', check };
  } else {
    const within = capacity === null || peakActive <= capacity;
    admission = within
      ? { feasible: true, perMinute: found.rate, sellOutMinute: shownRun.soldOutMinute!, peakActive, backing: 'admission', check }
      : { feasible: false, reason: 'capacity', perMinute: found.rate, sellOutMinute: shownRun.soldOutMinute, peakActive, backing: 'admission', check };
  }
  backing.push({ key: 'admission', result: shownRun });
  options.onProgress?.(1);

  return {
    recommendations: {
      targetSellOutMinutes: target,
      capacity,
      session: { minutes: session.minutes, baselineLogouts: baseline.logouts, backing: 'session', check: session.check },
      admission,
      ...(paymentFound
        ? {
            payment: {
              tps: paymentFound.tps,
              latencyMs: base.checkout.paymentLatencyMs || ASSUMED_PAYMENT_LATENCY_MS,
              timeoutMs: base.checkout.paymentTimeoutMs ?? ASSUMED_PAYMENT_TIMEOUT_MS,
              admissionPerMinute: found.rate,
              feasible: paymentFound.feasible,
              check: seedCheck(
                seeds.map((_, i) => paymentFound.results[i]?.soldOutMinute ?? null),
                (m) => m !== null && m <= target,
              ),
            },
          }
        : {}),
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
