import Fastify from 'fastify';
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import type { ServerDatabase } from '../../server/db/schema.js';
import type { SaleGate } from '../../server/sale/gate.js';
import { PaymentStandIn } from '../../server/sale/payment-stand-in.js';
import { registerSaleRoutes } from '../../server/sale/routes.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import type { ServerHarness, Staff } from './server-harness.js';
import { spec2022 } from './specs.js';

export type SaleReply = { status: number; body: Record<string, unknown> & { error?: { key: string; message: string } } };

/** A buyer's side of the sale routes as hand-made HTTP requests against one sale process. */
export class SaleBuyer {
  constructor(readonly url: string) {}

  async call(method: string, path: string, body?: unknown): Promise<SaleReply> {
    const res = await fetch(`${this.url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json()) as never };
  }

  /** An identity from the stand-in, then a ticket for the round. */
  async join(roundId: string, buyerId: string, birthYear = 1980): Promise<string> {
    const id = await this.call('POST', '/sale/identity', { buyerId, districtCode: '11110', birthYear });
    expect(id.status).toBe(200);
    const j = await this.call('POST', `/sale/rounds/${roundId}/join`, { identity: id.body.identity });
    expect(j.status, JSON.stringify(j.body)).toBe(200);
    return j.body.ticket as string;
  }

  status(roundId: string, ticket: string): Promise<SaleReply> {
    return this.call('GET', `/sale/rounds/${roundId}/status?ticket=${encodeURIComponent(ticket)}`);
  }

  /** Polls until the gate admits the ticket's holder (5 s at most). */
  async admitted(roundId: string, ticket: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const s = await this.status(roundId, ticket);
      if (s.body.status === 'admitted') return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('never admitted');
  }

  buy(roundId: string, ticket: string, face: number, idempotencyKey = `key-${Math.random().toString(36).slice(2, 12)}`): Promise<SaleReply> {
    return this.call('POST', `/sale/rounds/${roundId}/buy`, { ticket, idempotencyKey, face, method: 'bank_transfer' });
  }
}

/** A round on sale now on the server's real clock: 10,000 won certificates, stock and settings as given. */
export function liveSaleSpec(patch: Partial<RoundSpec>): RoundSpec {
  const now = Date.now();
  return spec2022({
    name: 'sale test',
    totalAmount: 1_000_000,
    denominations: [10_000, 50_000],
    opensAt: new Date(now - 60_000).toISOString(),
    closesAt: new Date(now + 30 * 60_000).toISOString(),
    sessionTimeoutMinutes: 10,
    waitingRoom: { admissionPerMinute: 600_000, maxActiveSessions: 5_000, order: 'fifo' },
    expectedVisitors: 1_000,
    ...patch,
  });
}

/**
 * One sale process in the test's own process: the buyer routes on a Fastify
 * app on loopback over `gate` and the harness's database, the admission step
 * every 20 ms; `buyer` speaks to it.
 */
export async function serveSale(db: Kysely<ServerDatabase>, gate: SaleGate, o: { secret: Buffer; payment?: PaymentStandIn }): Promise<{ buyer: SaleBuyer; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  const { stop } = registerSaleRoutes(app, { db, gate, payment: o.payment ?? new PaymentStandIn(), secret: o.secret, admitEveryMs: 20 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    buyer: new SaleBuyer(`http://127.0.0.1:${(app.server.address() as { port: number }).port}`),
    close: async () => {
      stop();
      await app.close();
    },
  };
}

/** Publishes a round on sale now (liveSaleSpec, two officials), then runs the harness on the real clock as the sale routes do. */
export async function openLiveSale(h: ServerHarness, staff: Staff, roundId: string, patch: Partial<RoundSpec>): Promise<void> {
  await h.openRound(roundId, liveSaleSpec(patch), staff.official, staff.official2, new Date());
  h.clock = null;
}
