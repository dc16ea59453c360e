import { expect } from 'vitest';
import type { RoundSpec } from '../../shared/rounds/spec.js';
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
