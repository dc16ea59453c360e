import type { SimParams } from '../params.js';
import type { FitParameter } from './schema.js';

/** One fitted quantity: how to read it from parameters, write it back, and its search range. */
export interface Axis {
  key: FitParameter;
  lo: number;
  hi: number;
  /** Searched on a log scale (positive quantities whose plausible range spans orders of magnitude). */
  log: boolean;
  get(p: SimParams): number;
  set(p: SimParams, v: number): SimParams;
}

/**
 * The search space around a starting point: bounds wide enough for any sale
 * we know of, narrow enough that the search does not wander into runs that
 * take minutes. Visitors range a factor of 10 either way of the start (the
 * round's expectation); admission from a thousandth to ten times the round's
 * setting (the effective throughput of a jammed day can be far below what
 * was configured); the rest over fixed plausible ranges.
 */
export function axesFor(base: SimParams, free: readonly FitParameter[]): Axis[] {
  const all: Axis[] = [
    {
      key: 'visitors',
      lo: Math.max(1_000, base.visitors / 10),
      hi: Math.min(20_000_000, base.visitors * 10),
      log: true,
      get: (p) => p.visitors,
      set: (p, v) => ({ ...p, visitors: Math.round(v) }),
    },
    ...(base.arrival.curve === 'custom'
      ? []
      : [
          {
            key: 'arrivalShape' as const,
            lo: 0.5,
            hi: 240,
            log: true,
            get: (p: SimParams) => (p.arrival.curve === 'decay' ? p.arrival.decayMinutes : p.arrival.spikeMinutes),
            set: (p: SimParams, v: number) => ({ ...p, arrival: p.arrival.curve === 'decay' ? { ...p.arrival, decayMinutes: v } : { ...p.arrival, spikeMinutes: v } }),
          },
        ]),
    ...(base.arrival.preOpenMinutes > 0
      ? [{ key: 'preOpenShare' as const, lo: 0, hi: 0.9, log: false, get: (p: SimParams) => p.arrival.preOpenShare, set: (p: SimParams, v: number) => ({ ...p, arrival: { ...p.arrival, preOpenShare: v } }) }]
      : []),
    ...(base.waitingRoom.admissionPerMinute === null
      ? []
      : [
          {
            key: 'admissionPerMinute' as const,
            lo: Math.max(1, base.waitingRoom.admissionPerMinute / 1_000),
            hi: base.waitingRoom.admissionPerMinute * 10,
            log: true,
            get: (p: SimParams) => p.waitingRoom.admissionPerMinute ?? 1,
            set: (p: SimParams, v: number) => ({ ...p, waitingRoom: { ...p.waitingRoom, admissionPerMinute: v } }),
          },
        ]),
    { key: 'checkoutSeconds', lo: 15, hi: 900, log: true, get: (p) => p.checkout.meanSeconds, set: (p, v) => ({ ...p, checkout: { ...p.checkout, meanSeconds: v } }) },
    { key: 'failureRate', lo: 0, hi: 0.6, log: false, get: (p) => p.checkout.failureRate, set: (p, v) => ({ ...p, checkout: { ...p.checkout, failureRate: v } }) },
    { key: 'patienceMinutes', lo: 2, hi: 600, log: true, get: (p) => p.patience.meanMinutes, set: (p, v) => ({ ...p, patience: { ...p.patience, meanMinutes: v } }) },
    { key: 'returnProbability', lo: 0, hi: 0.98, log: false, get: (p) => p.returns.probability, set: (p, v) => ({ ...p, returns: { ...p.returns, probability: v } }) },
  ];
  return all.filter((a) => free.includes(a.key));
}

const clamp01 = (u: number) => (u < 0 ? 0 : u > 1 ? 1 : u);

/** The value on one axis at a unit-cube coordinate (clamped to the cube). */
export function valueAt(a: Axis, u: number): number {
  const c = clamp01(u);
  return a.log ? Math.exp(Math.log(a.lo) + c * (Math.log(a.hi) - Math.log(a.lo))) : a.lo + c * (a.hi - a.lo);
}

/** The unit-cube coordinate of a value on one axis (clamped to its bounds). */
export function coordinateOf(a: Axis, v: number): number {
  const w = Math.min(a.hi, Math.max(a.lo, v));
  return clamp01(a.log ? (Math.log(w) - Math.log(a.lo)) / (Math.log(a.hi) - Math.log(a.lo)) : (w - a.lo) / (a.hi - a.lo));
}

/** The parameters at a point of the unit cube (one coordinate per axis). */
export function paramsAt(base: SimParams, axes: readonly Axis[], x: readonly number[]): SimParams {
  return axes.reduce((p, a, i) => a.set(p, valueAt(a, x[i]!)), base);
}

/** Where parameters sit in the unit cube (clamped to the bounds). */
export function pointOf(p: SimParams, axes: readonly Axis[]): number[] {
  return axes.map((a) => coordinateOf(a, a.get(p)));
}
