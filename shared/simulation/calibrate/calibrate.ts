import type { SimParams } from '../params.js';
import { scaledParams } from '../rehearsal-check.js';
import type { SimResult } from '../result.js';
import { compare } from './objective.js';
import type { CalibrationOptions, CalibrationResult, Observed } from './schema.js';
import { patternSearch } from './search.js';
import { identify, PIN_RISE_ABS, POLISH_EVALUATIONS, profileEvaluations } from './identifiability.js';
import { axesFor, coordinateOf, paramsAt, pointOf, valueAt } from './space.js';

/** Runs a batch of simulations (in workers in the app); results in the order given. */
export type RunBatch = (batch: SimParams[]) => Promise<SimResult[]>;

export class NothingToFit extends Error {}

/**
 * The share buying their whole limit that gives the observed average purchase:
 * the rest buy uniformly below the limit, half of it on average. Fixed before
 * the search rather than fitted: it is arithmetic, not behaviour.
 */
export function fullLimitShareFor(p: SimParams, averagePurchase: number): number {
  const half = p.purchase.limit / 2;
  return Math.min(1, Math.max(0, (averagePurchase - half) / half));
}

/**
 * A start read off the observations: the pace people bought at. A sale held
 * back by admission buys at about the admission rate, so the busiest five
 * minutes of the ledger (or buyers ÷ minutes to sell out, from facts alone)
 * put the search in the right decade; a round configured for 20,000 a minute
 * that managed 150 would otherwise leave the search on a plateau where
 * admission does not bind and other parameters take the blame.
 */
export function observedPace(observed: Observed, averagePurchase: number): number | null {
  const c = observed.facePerMinute;
  if (c.length > 0 && averagePurchase > 0) {
    let best = 0;
    for (let i = 0; i < c.length; i++) {
      const w = c.slice(i, i + 5);
      best = Math.max(best, w.reduce((s, v) => s + v, 0) / w.length);
    }
    return best > 0 ? best / averagePurchase : null;
  }
  const f = observed.facts;
  return f.buyers && f.sellOutMinutes ? f.buyers / f.sellOutMinutes : null;
}

/**
 * Fits the free behavioural parameters of `base` so a simulated sale looks
 * like the observed one. Every evaluation uses the same seed (common random
 * numbers): two nearby parameter sets are compared on the same arrivals and
 * draws, so the objective changes smoothly enough for the search. The search
 * runs on the sale scaled down to `searchVisitors` (visitors, stock and
 * rates shrink together, keeping minutes); the result is then re-run at full
 * size, and if that run is worse than the starting point the search's best
 * is still what is reported, with the full-size measures. Between the two,
 * each free parameter is profiled (identifiability.ts): those the data do
 * not pin go back to the official's assumption, and the pinned ones are
 * searched once more with them there, so a value the data never decided is
 * not presented as found.
 */
export async function calibrate(base: SimParams, observed: Observed, options: CalibrationOptions, runBatch: RunBatch, onProgress?: (fraction: number) => void, signal?: AbortSignal): Promise<CalibrationResult> {
  const startedAt = Date.now();
  let start = base;
  // The ledger's face and buyers fix the average purchase; the facts may give buyers without a curve.
  const total = observed.facePerMinute.reduce((s, v) => s + v, 0);
  if (observed.facts.buyers && total > 0) start = { ...start, purchase: { ...start.purchase, fullLimitShare: fullLimitShareFor(start, total / observed.facts.buyers) } };
  const axes = axesFor(start, options.free);
  if (axes.length === 0) throw new NothingToFit('no free parameters apply to these settings');
  const hasAnything = observed.facePerMinute.some((v) => v > 0) || Object.entries(observed.facts).some(([k, v]) => k !== 'displayedAtMinute' && v !== null);
  if (!hasAnything) throw new NothingToFit('nothing observed');

  // The scale follows the starting visitors; the search keeps it fixed so every evaluation is comparable.
  const scale = Math.min(1, options.searchVisitors / start.visitors);
  const evaluate = async (points: number[][]): Promise<number[]> => {
    const runs = await runBatch(points.map((x) => scaledParams(paramsAt(start, axes, x), scale)));
    return runs.map((r) => compare(r, scale, observed, options.weights).objective);
  };
  /** The objective at the round's own assumptions (re-measured at full size when the result is confirmed there). */
  let startObjective = NaN;
  // Two starts, the round's assumptions and the same with admission at the observed pace; the better one wins.
  const meanPurchase = start.purchase.fullLimitShare * start.purchase.limit + (1 - start.purchase.fullLimitShare) * (start.purchase.limit / 2);
  const averagePurchase = observed.facts.buyers && total > 0 ? total / observed.facts.buyers : meanPurchase;
  const pace = observedPace(observed, averagePurchase);
  let x0 = pointOf(start, axes);
  if (pace !== null && start.waitingRoom.admissionPerMinute !== null && axes.some((a) => a.key === 'admissionPerMinute')) {
    const alt = pointOf({ ...start, waitingRoom: { ...start.waitingRoom, admissionPerMinute: pace } }, axes);
    const [a, b] = await evaluate([x0, alt]);
    startObjective = a!;
    if (b! < a!) x0 = alt;
  }
  const budget = options.maxEvaluations;
  const confirmShare = options.confirmAtFullScale && scale < 1 ? 0.1 : 0;
  // Progress counts every evaluation against all three stages: the search, the profiles, the final search.
  const planned = budget + 2 * axes.length * profileEvaluations(axes.length) + POLISH_EVALUATIONS;
  let spent = 0;
  const counted = async (points: number[][]): Promise<number[]> => {
    const values = await evaluate(points);
    spent += points.length;
    onProgress?.((1 - confirmShare) * Math.min(1, spent / planned));
    return values;
  };
  const found = await patternSearch(
    async (points) => {
      const values = await counted(points);
      if (Number.isNaN(startObjective)) startObjective = values[0]!;
      return values;
    },
    x0,
    { maxEvaluations: budget, signal },
  );
  // What the data pinned; the rest go back to the official's assumption, and the pinned ones are searched once more with them there.
  const assumed = axes.map((a) => a.get(start));
  const identified = await identify(counted, axes, found.x, found.value, assumed, signal);
  const kept = new Set(identified.flatMap((d, i) => (d.pinned ? [i] : [])));
  const x = found.x.map((u, i) => (kept.has(i) ? u : coordinateOf(axes[i]!, assumed[i]!)));
  const refit = async (): Promise<number> => {
    const idx = [...kept];
    if (idx.length === 0) return (await counted([x]))[0]!;
    const put = (y: readonly number[]) => x.map((u, i) => (kept.has(i) ? y[idx.indexOf(i)]! : u));
    const polished = await patternSearch((pts) => counted(pts.map(put)), idx.map((i) => x[i]!), { maxEvaluations: POLISH_EVALUATIONS, step: 1 / 16, minStep: 1 / 512, signal });
    idx.forEach((i, k) => (x[i] = polished.x[k]!));
    return polished.value;
  };
  let value = kept.size === axes.length ? found.value : await refit();
  // Parameters that trade off (admission and failures on a curve alone) are each not pinned, but their product is:
  // putting both back loses it. While the fit is worse than the search's by more than the noise floor
  // (PIN_RISE_ABS), the one whose search value helps most keeps it (marked joint), and the kept ones are searched again.
  while (value > found.value + PIN_RISE_ABS && kept.size < axes.length) {
    const loose = axes.flatMap((_, i) => (kept.has(i) ? [] : [i]));
    const tries = await counted(loose.map((i) => x.map((u, j) => (j === i ? found.x[i]! : u))));
    const best = loose[tries.indexOf(Math.min(...tries))]!;
    kept.add(best);
    x[best] = found.x[best]!;
    identified[best] = { ...identified[best]!, joint: true };
    value = await refit();
  }
  for (const i of kept) identified[i] = { ...identified[i]!, fitted: valueAt(axes[i]!, x[i]!) };
  const fitted = paramsAt(start, axes, x);
  let confirmed = false;
  let final: { r: SimResult; scale: number };
  if (confirmShare > 0) {
    // The start at full size too, so "before" and "after" are measured alike.
    const [full, startFull] = await runBatch([fitted, start]);
    final = { r: full!, scale: 1 };
    startObjective = compare(startFull!, 1, observed, options.weights).objective;
    confirmed = true;
  } else {
    const [r] = await runBatch([scaledParams(fitted, scale)]);
    final = { r: r!, scale };
  }
  onProgress?.(1);
  const cmp = compare(final.r, final.scale, observed, options.weights);
  return {
    params: fitted,
    objective: cmp.objective,
    startObjective,
    rows: cmp.rows,
    observedCurve: [...observed.facePerMinute],
    simulatedCurve: cmp.simulatedCurve,
    evaluations: spent + 1,
    searchScale: scale,
    confirmed,
    free: axes.map((a) => a.key),
    identified,
    elapsedMs: Date.now() - startedAt,
  };
}
