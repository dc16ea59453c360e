import { patternSearch, type BatchObjective } from './search.js';
import type { Identification } from './schema.js';
import { coordinateOf, valueAt, type Axis } from './space.js';

/**
 * Whether the observations pinned a fitted parameter down, by a profile of the
 * objective around the fit: the parameter is moved one tolerance either way
 * (×/÷ PIN_FACTOR on log-scaled axes, ± PIN_SHARE on shares) and held there
 * while every other free parameter is searched again, so a move another
 * parameter can make up for (more visitors and less patience give the same
 * curve) is found rather than counted as evidence.
 *
 * The rule: a parameter is pinned when, on every side the bounds allow, the
 * best objective with it held one tolerance off is worse than the fit by more
 * than PIN_RISE_ABS and by more than PIN_RISE_REL times the fit's own
 * objective. Below that, a simulator on one seed cannot tell the moved value
 * from the fitted one (same-seed runs of neighbouring parameters already
 * differ by about 1e-4 on a 20,000-visitor sale), and the data say nothing
 * the official's assumption does not.
 */
export const PIN_FACTOR = 1.25;
export const PIN_SHARE = 0.05;
export const PIN_RISE_ABS = 0.002;
export const PIN_RISE_REL = 0.5;
/**
 * Evaluations of the re-search on each side of each parameter: three polls of
 * every other axis. A fixed count starved wide fits: with eight free
 * parameters 24 evaluations were under two polls, too few for the others to
 * make up for a move, and bench:calibrate saw the failure rate called pinned
 * at 0.29 against a true 0.05.
 */
export const PROFILE_POLLS = 3;
/** With few axes three polls are a dozen evaluations, too few to halve the step down to a one-tolerance move: 24 at least. */
export const profileEvaluations = (axes: number): number => Math.max(24, 1 + PROFILE_POLLS * 2 * Math.max(1, axes - 1));
/** Evaluations of the last search, of the pinned parameters with the others back at the assumption. */
export const POLISH_EVALUATIONS = 48;

/** The two values one tolerance away from `v` on an axis, clamped to its bounds (null where clamping leaves none). */
function neighbours(a: Axis, v: number): [number | null, number | null] {
  const lo = a.log ? v / PIN_FACTOR : v - PIN_SHARE;
  const hi = a.log ? v * PIN_FACTOR : v + PIN_SHARE;
  const clampLo = Math.max(a.lo, lo);
  const clampHi = Math.min(a.hi, hi);
  return [clampLo < v ? clampLo : null, clampHi > v ? clampHi : null];
}

/** How much worse than `fitObjective` counts as a difference the data can see. */
export const visibleRise = (fitObjective: number): number => Math.max(PIN_RISE_ABS, PIN_RISE_REL * fitObjective);

export function isPinned(fitObjective: number, sides: readonly (number | null)[]): boolean {
  const rise = visibleRise(fitObjective);
  const seen = sides.filter((s): s is number => s !== null);
  return seen.length > 0 && seen.every((s) => s - fitObjective > rise);
}

/**
 * Profiles every axis at `x` (the fit, objective `value`); `assumed` are the
 * official's values in axis units. The re-searches of all sides run side by
 * side so each batch keeps the worker threads busy.
 */
export async function identify(f: BatchObjective, axes: readonly Axis[], x: readonly number[], value: number, assumed: readonly number[], signal?: AbortSignal): Promise<Identification[]> {
  const sides = axes.flatMap((a, i) => neighbours(a, valueAt(a, x[i]!)).map((held) => ({ i, held })));
  const profiled = await Promise.all(
    sides.map(async ({ i, held }) => {
      if (held === null) return null;
      const fixed = coordinateOf(axes[i]!, held);
      const withHeld = (y: readonly number[]) => [...y.slice(0, i), fixed, ...y.slice(i)];
      const rest = [...x.slice(0, i), ...x.slice(i + 1)];
      if (rest.length === 0) return (await f([withHeld([])]))[0]!;
      // Small first steps: the others only need to make up for one tolerance's move.
      const r = await patternSearch((pts) => f(pts.map(withHeld)), rest, { maxEvaluations: profileEvaluations(axes.length), step: 1 / 16, minStep: 1 / 512, signal });
      return r.value;
    }),
  );
  return axes.map((a, i) => {
    const [low, high] = neighbours(a, valueAt(a, x[i]!));
    const lowObjective = profiled[2 * i] ?? null;
    const highObjective = profiled[2 * i + 1] ?? null;
    return { key: a.key, pinned: isPinned(value, [lowObjective, highObjective]), fitted: valueAt(a, x[i]!), assumed: assumed[i]!, low, high, lowObjective, highObjective };
  });
}
