import type { SimParams } from './params.js';
import type { Stream } from './random.js';

/** A stretch of time that receives exactly `count` arrivals, spread uniformly at random. */
export interface Segment {
  start: number;
  end: number;
  count: number;
}

/** Splits `total` into integers proportional to `weights`, largest remainders first (ties to the earlier). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (sum <= 0 || total <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((s, c) => s + c, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) counts[order[k]![1]]!++;
  return counts;
}

/**
 * Splits `total` into integers whose expected values are exactly proportional
 * to `weights`: the whole parts, then the remaining units by systematic
 * sampling of the fractions (one uniform draw), so each bin gets an extra unit
 * with probability equal to its fraction. Largest remainders would hand every
 * leftover unit to the bins with the biggest fractions, emptying a long thin
 * tail (a decay curve's bins of 0.3 expected arrivals) into the rush.
 */
export function apportionUnbiased(total: number, weights: readonly number[], rng: Stream): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (sum <= 0 || total <= 0) return weights.map(() => 0);
  const counts = new Array<number>(weights.length);
  let point = rng.uniform();
  let cumulative = 0;
  let given = 0;
  let heaviest = 0;
  for (let i = 0; i < weights.length; i++) {
    const exact = (total * weights[i]!) / sum;
    const whole = Math.floor(exact);
    cumulative += exact - whole;
    let c = whole;
    while (point < cumulative) {
      c++;
      point++;
    }
    counts[i] = c;
    given += c;
    if (weights[i]! > weights[heaviest]!) heaviest = i;
  }
  // Float error in the running sum can leave one unit unplaced (or one too many); the heaviest bin absorbs it.
  counts[heaviest]! += total - given;
  return counts;
}

const DECAY_BIN_SECONDS = 10;

/**
 * The arrival plan of one group of visitors whose sale opens at `opensAt`
 * (seconds on the simulation clock): a share before opening, the rest on the
 * chosen curve, nothing after `closesAt`.
 */
export function planSegments(p: SimParams['arrival'], visitors: number, opensAt: number, closesAt: number, preOpen: boolean, rng: Stream): Segment[] {
  const before = preOpen ? Math.round(visitors * p.preOpenShare) : 0;
  const preSeconds = p.preOpenMinutes * 60;
  const segments: Segment[] = [];
  if (before > 0 && preSeconds > 0) segments.push({ start: opensAt - preSeconds, end: opensAt, count: before });
  const after = visitors - (preSeconds > 0 ? before : 0);
  const bins: { start: number; end: number; weight: number }[] = [];
  if (p.curve === 'spike') {
    bins.push({ start: opensAt, end: Math.min(closesAt, opensAt + p.spikeMinutes * 60), weight: 1 });
  } else if (p.curve === 'decay') {
    const tau = p.decayMinutes * 60;
    // Past 30 means the remaining mass is below 1e-13: nobody is lost to the cut.
    const last = Math.min(closesAt, opensAt + 30 * tau);
    for (let a = opensAt; a < last; a += DECAY_BIN_SECONDS) {
      const b = Math.min(last, a + DECAY_BIN_SECONDS);
      bins.push({ start: a, end: b, weight: Math.exp(-(a - opensAt) / tau) - Math.exp(-(b - opensAt) / tau) });
    }
  } else {
    p.perMinute.forEach((w, m) => {
      const a = opensAt + m * 60;
      if (a < closesAt) bins.push({ start: a, end: Math.min(closesAt, a + 60), weight: w });
    });
  }
  if (bins.length === 0 || bins.every((b) => b.weight === 0)) bins.splice(0, bins.length, { start: opensAt, end: closesAt, weight: 1 });
  const counts = apportionUnbiased(after, bins.map((b) => b.weight), rng);
  bins.forEach((b, i) => {
    if (counts[i]! > 0) segments.push({ start: b.start, end: b.end, count: counts[i]! });
  });
  return segments;
}

/** Arrivals are generated a chunk at a time; a chunk never holds more than this many. */
const CHUNK = 4_096;

/**
 * Yields arrival times in increasing order without holding them all. Each
 * segment is cut into chunks of equal length with (almost) equal counts; in
 * a chunk of k arrivals, cumulative sums of k+1 exponential spacings scaled
 * to the chunk give k sorted uniform times — one logarithm per arrival.
 */
export class ArrivalStream {
  private seg = -1;
  private chunk = 0;
  private chunks = 0;
  private readonly buf = new Float64Array(CHUNK + 1);
  private bi = 0;
  private bn = 0;
  next = Infinity;

  constructor(
    private readonly segments: readonly Segment[],
    private readonly rng: Stream,
  ) {
    this.advance();
  }

  private fill(): boolean {
    while (this.chunk >= this.chunks) {
      if (++this.seg >= this.segments.length) return false;
      this.chunk = 0;
      this.chunks = Math.ceil(this.segments[this.seg]!.count / CHUNK);
    }
    const s = this.segments[this.seg]!;
    const j = this.chunk++;
    // Equal shares, the remainder to the first chunks: counts are fixed by the plan, not drawn.
    const k = Math.floor(s.count / this.chunks) + (j < s.count % this.chunks ? 1 : 0);
    const width = (s.end - s.start) / this.chunks;
    const from = s.start + j * width;
    const buf = this.buf;
    let sum = 0;
    for (let i = 0; i <= k; i++) {
      sum -= Math.log(this.rng.uniform());
      buf[i] = sum;
    }
    const scale = width / sum;
    const to = from + width;
    for (let i = 0; i < k; i++) {
      const v = from + buf[i]! * scale;
      buf[i] = v < to ? v : to;
    }
    this.bi = 0;
    this.bn = k;
    return true;
  }

  advance(): void {
    while (this.bi >= this.bn) {
      if (!this.fill()) {
        this.next = Infinity;
        return;
      }
    }
    this.next = this.buf[this.bi++]!;
  }
}

/** Merges several streams (one per birth-year slot) into one in time order. */
export class MergedArrivals {
  next = Infinity;
  private readonly streams: ArrivalStream[];

  constructor(streams: ArrivalStream[]) {
    this.streams = streams;
    this.pick();
  }

  private pick(): void {
    let best = Infinity;
    for (const s of this.streams) if (s.next < best) best = s.next;
    this.next = best;
  }

  advance(): void {
    for (const s of this.streams) {
      if (s.next === this.next) {
        s.advance();
        break;
      }
    }
    this.pick();
  }
}
