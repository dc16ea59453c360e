import { Pool } from 'undici';
import type { Endpoint, EndpointStats } from './latency.js';

export interface SaleAnswer {
  status: number;
  body: Record<string, unknown> & { error?: { key: string; message: string } };
}

/**
 * A virtual buyer's HTTP side: keep-alive pools to one or more sale processes
 * serving one sale (requests go round-robin, as a load balancer would), each
 * request timed into its endpoint's histogram.
 */
export class SaleClient {
  private readonly pools: Pool[];
  private next = 0;

  constructor(
    urls: string[],
    private readonly stats: Record<Endpoint, EndpointStats>,
    connectionsPerProcess = 64,
    /** Requests sent on a connection before the first is answered (HTTP/1.1 pipelining; the server answers them in order). */
    pipelining = 1,
  ) {
    this.pools = urls.map((u) => new Pool(u, { connections: connectionsPerProcess, pipelining, keepAliveTimeout: 30_000 }));
  }

  async call(endpoint: Endpoint, method: 'GET' | 'POST', path: string, body?: unknown): Promise<SaleAnswer | null> {
    const pool = this.pools[this.next++ % this.pools.length]!;
    const started = process.hrtime.bigint();
    try {
      const res = await pool.request({ method, path, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined, headersTimeout: 30_000, bodyTimeout: 30_000 });
      const json = (await res.body.json()) as SaleAnswer['body'];
      this.stats[endpoint].record(Number(process.hrtime.bigint() - started) / 1000, res.statusCode);
      return { status: res.statusCode, body: json };
    } catch {
      this.stats[endpoint].failures++;
      return null;
    }
  }

  identity(buyerId: string, districtCode: string, birthYear: number) {
    return this.call('identity', 'POST', '/sale/identity', { buyerId, districtCode, birthYear });
  }

  join(roundId: string, identity: string) {
    return this.call('join', 'POST', `/sale/rounds/${roundId}/join`, { identity });
  }

  status(roundId: string, ticket: string) {
    return this.call('status', 'GET', `/sale/rounds/${roundId}/status?ticket=${encodeURIComponent(ticket)}`);
  }

  buy(roundId: string, ticket: string, face: number, idempotencyKey: string, method: string) {
    return this.call('buy', 'POST', `/sale/rounds/${roundId}/buy`, { ticket, idempotencyKey, face, method });
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((p) => p.close()));
  }
}
