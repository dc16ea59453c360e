import * as hdr from 'hdr-histogram-js';

/** Latency per endpoint in microseconds (HdrHistogram, 3 significant digits), and the status codes each answered. */
export class EndpointStats {
  readonly histogram = hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
  readonly codes = new Map<number, number>();
  /** Requests that got no HTTP answer at all (connection refused, reset, timed out). */
  failures = 0;

  record(micros: number, status: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(micros)));
    this.codes.set(status, (this.codes.get(status) ?? 0) + 1);
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** Milliseconds at the percentile (0–100). */
  ms(p: number): number {
    return this.histogram.totalCount === 0 ? Number.NaN : this.histogram.getValueAtPercentile(p) / 1000;
  }
}

export const ENDPOINTS = ['identity', 'join', 'status', 'buy'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export function newStats(): Record<Endpoint, EndpointStats> {
  return { identity: new EndpointStats(), join: new EndpointStats(), status: new EndpointStats(), buy: new EndpointStats() };
}

/** One row per endpoint: requests, per second over `seconds`, p50/p99, and the status codes. */
export function statsTable(stats: Record<Endpoint, EndpointStats>, seconds: number): string {
  const rows = ENDPOINTS.map((e) => {
    const s = stats[e];
    const codes = [...s.codes].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${c}×${n}`).join(' ');
    return `  ${e.padEnd(8)} ${String(s.count).padStart(8)} req  ${(s.count / seconds).toFixed(0).padStart(6)}/s  p50 ${s.ms(50).toFixed(1).padStart(7)} ms  p99 ${s.ms(99).toFixed(1).padStart(7)} ms  ${codes}${s.failures ? `  no answer×${s.failures}` : ''}`;
  });
  return rows.join('\n');
}
