import { z } from 'zod';

/**
 * How a recommendation is checked against chance: it is searched on several
 * seeds at once (common random numbers: the same seeds for every setting
 * tried) and must hold on all of them, with a margin so that it also holds on
 * at least HOLD_SHARE of seeds it was not searched on.
 */
export const RECOMMEND_SEEDS = 20;
/** The share of seeds (days like the one simulated) a recommendation must hold on. */
export const HOLD_SHARE = 0.95;
/** How sure the margin makes us of HOLD_SHARE, given only the seeds searched. */
export const HOLD_CONFIDENCE = 0.9;

// Standard normal quantiles for HOLD_SHARE and HOLD_CONFIDENCE (tables: z(0.95) = 1.6449, z(0.90) = 1.2816).
const Z_SHARE = 1.6448536;
const Z_CONFIDENCE = 1.2815516;

/** The seeds a search runs on: the base seed first (its run is the one shown), then the next ones. */
export function searchSeeds(baseSeed: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (baseSeed + i) >>> 0);
}

/**
 * The one-sided normal tolerance factor k: mean + k·sd over n samples bounds
 * HOLD_SHARE of the population with HOLD_CONFIDENCE. The maximum of 20
 * samples alone exceeds a fresh one only with probability 20/21 ≈ 95.2%, an
 * even chance of missing 95% — hence a margin. Natrella's approximation, as
 * given in the NIST/SEMATECH e-Handbook §7.2.6.3: k = (z_p + √(z_p² − a·b)) / a
 * with a = 1 − z_γ²/(2(n−1)), b = z_p² − z_γ²/n (2.18 for n = 20; the exact
 * noncentral-t value is 2.21, a difference of 0.03 standard deviations).
 */
export function toleranceFactor(n: number): number {
  const a = 1 - (Z_CONFIDENCE * Z_CONFIDENCE) / (2 * (n - 1));
  const b = Z_SHARE * Z_SHARE - (Z_CONFIDENCE * Z_CONFIDENCE) / n;
  return (Z_SHARE + Math.sqrt(Z_SHARE * Z_SHARE - a * b)) / a;
}

/**
 * The value a recommendation must clear on the seeds searched: the largest
 * seen, or the tolerance bound above, whichever is higher. One seed (or
 * fewer than three, where a spread means nothing) gives the value itself.
 */
export function upperBound(xs: readonly number[]): number {
  const max = Math.max(...xs);
  const n = xs.length;
  if (n < 3) return max;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  return Math.max(max, mean + toleranceFactor(n) * sd);
}

/** A recommendation over the seeds it was searched on: how many it held on, and the spread of its figure. */
export const seedCheckSchema = z.object({
  seeds: z.number(),
  held: z.number(),
  /** Null where a seed never got there (did not sell out). */
  min: z.number().nullable(),
  median: z.number().nullable(),
  max: z.number().nullable(),
});
export type SeedCheck = z.infer<typeof seedCheckSchema>;

/** The check of a figure per seed; null stands for "never" and sorts above every number. */
export function seedCheck(values: readonly (number | null)[], holds: (v: number | null) => boolean): SeedCheck {
  const sorted = [...values].sort((a, b) => (a === null ? (b === null ? 0 : 1) : b === null ? -1 : a - b));
  return {
    seeds: values.length,
    held: values.filter(holds).length,
    min: sorted[0] ?? null,
    median: sorted[Math.floor((sorted.length - 1) / 2)] ?? null,
    max: sorted.at(-1) ?? null,
  };
}
