import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

type Generator = ReturnType<typeof xoroshiro128plus>;

const TWO_POW_32 = 4_294_967_296;

/**
 * A seeded stream of random numbers. Each random process of the model gets
 * its own stream (jumped 2^64 steps apart), so changing one setting does not
 * reshuffle the randomness of the others: runs that differ in one setting are
 * compared on the same arrivals, amounts and checkout times.
 */
export class Stream {
  constructor(private readonly g: Generator) {}

  /** Uniform in (0, 1): never 0, so `-log(u)` is finite. */
  uniform(): number {
    return ((this.g.next() >>> 0) + 0.5) / TWO_POW_32;
  }

  exponential(mean: number): number {
    return -mean * Math.log(this.uniform());
  }

  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  normal(): number {
    // Box–Muller; the second value is dropped to keep the stream position simple.
    return Math.sqrt(-2 * Math.log(this.uniform())) * Math.cos(2 * Math.PI * this.uniform());
  }
}

// New streams go last: each is a jump further on, so the ones before keep their numbers (and old runs their results).
export const STREAMS = ['arrivals', 'order', 'amounts', 'checkout', 'failures', 'patience', 'returns', 'payment'] as const;
export type StreamName = (typeof STREAMS)[number];

/**
 * Every stream, the first included, starts a jump away from the seeded state:
 * xoroshiro's first outputs from nearby seeds are nearly equal, so an
 * unjumped first stream gave seeds 1, 2, 3… almost the same first arrivals.
 */
export function streams(seed: number): Record<StreamName, Stream> {
  const g = xoroshiro128plus(seed | 0);
  const out = {} as Record<StreamName, Stream>;
  for (const name of STREAMS) {
    g.jump();
    out[name] = new Stream(g.clone());
  }
  return out;
}

/**
 * One stream from a seed alone, a jump away from the seeded state as in `streams` (nearby seeds' first
 * outputs are nearly equal): for a small draw of its own, such as one demo buyer's identity.
 */
export function seededStream(seed: number): Stream {
  const g = xoroshiro128plus(seed | 0);
  g.jump();
  return new Stream(g);
}
