import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SaleGate } from '../../server/sale/gate.js';
import { roundKey } from '../../server/sale/keys.js';
import { PaymentStandIn } from '../../server/sale/payment-stand-in.js';
import type { PrivateRedis } from '../../server/sale/private-redis.js';
import { registerSaleRoutes } from '../../server/sale/routes.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import { startTestRedis } from '../support/redis.js';
import { openLiveSale, SaleBuyer } from '../support/sale-buyer.js';
import { ServerHarness, type Staff } from '../support/server-harness.js';

/**
 * Issue 19, the sale's cost per request. Polls: a waiting buyer's polls are answered by the sale process from the
 * rank the gate gave them and the round's admissions since, with no Redis call
 * per poll. Admission here runs only when the test calls it (the process's own
 * ticker is set to an hour), so between two steps the true rank of everyone
 * waiting is fixed and read straight from Redis (ZRANK) to compare with.
 * Purchases: the session the poll before the payment found live is judged
 * again inside the purchase's own call (no second session call).
 */
const secret = Buffer.alloc(32, 9);
let redis: PrivateRedis;
let h: ServerHarness;
let staff: Staff;
let gate: SaleGate;
let sale: FastifyInstance;
let buyer: SaleBuyer;
let stop: () => void;
/** sale_poll calls the routes made (the gate's own poll, counted by wrapping it). */
let gatePolls = 0;

const VIEW_MS = 40;
const settle = () => new Promise((r) => setTimeout(r, VIEW_MS * 4));

beforeAll(async () => {
  redis = await startTestRedis();
  h = await ServerHarness.start();
  staff = await h.staff();
  gate = await SaleGate.connect(redis.url, 1);
  const poll = gate.poll.bind(gate);
  gate.poll = (...args) => {
    gatePolls++;
    return poll(...args);
  };
  sale = Fastify({ logger: false });
  stop = registerSaleRoutes(sale, { db: h.sdb.db, gate, payment: new PaymentStandIn(), secret, admitEveryMs: 3_600_000, pollViewEveryMs: VIEW_MS }).stop;
  await sale.listen({ port: 0, host: '127.0.0.1' });
  buyer = new SaleBuyer(`http://127.0.0.1:${(sale.server.address() as { port: number }).port}`);
});

afterAll(async () => {
  stop?.();
  await sale?.close();
  await gate?.close();
  await h?.close();
  await redis?.stop();
});

const openSale = (roundId: string, patch: Partial<RoundSpec>) => openLiveSale(h, staff, roundId, patch);

/** The true number ahead of each buyer in the gate's queue now (null: not in it). */
async function trueRanks(roundId: string, buyers: string[]): Promise<(number | null)[]> {
  return Promise.all(buyers.map((b) => gate.redis.zrank(roundKey(roundId, 'queue'), b)));
}

describe('polls of waiting buyers answered from counters', () => {
  it('shows each waiting buyer their true place from the admissions since, never ahead of it and never going up, asking Redis only when their turn may have come', async () => {
    // 600 a minute: at most 20 admitted per step (two seconds' worth, sale.lua admit), so most of the 40 keep waiting.
    await openSale('r-view', { totalAmount: 1_000_000, waitingRoom: { admissionPerMinute: 600, maxActiveSessions: 1_000, order: 'fifo' } });
    const ids = Array.from({ length: 40 }, (_, i) => `view-${i}`);
    const tickets: string[] = [];
    // One after another: first come, first served, so buyer i has i ahead of them.
    for (const id of ids) tickets.push(await buyer.join('r-view', id));
    const poll = async () => Promise.all(tickets.map((t) => buyer.status('r-view', t)));
    const shown = new Map<number, number[]>();
    const record = (answers: Awaited<ReturnType<typeof poll>>) =>
      answers.forEach((a, i) => {
        if (a.body.status === 'waiting') shown.set(i, [...(shown.get(i) ?? []), a.body.position as number]);
      });

    // First polls: each asks the gate once; position is 1-based.
    gatePolls = 0;
    const first = await poll();
    record(first);
    expect(first.map((a) => a.body.position)).toEqual(ids.map((_, i) => i + 1));
    expect(gatePolls).toBe(40);
    await settle();

    // Nothing admitted since: the same places, and one call to the gate: the first in the queue's, whose turn may come any moment.
    gatePolls = 0;
    const again = await poll();
    record(again);
    expect(again.map((a) => a.body.position)).toEqual(ids.map((_, i) => i + 1));
    expect(gatePolls).toBe(1);

    let admittedSoFar = 0;
    for (let step = 0; step < 3; step++) {
      await new Promise((r) => setTimeout(r, 400));
      const k = await gate.admit('r-view');
      expect(k).toBeGreaterThan(0);
      admittedSoFar += k;
      // Polled before this process has read the admission: an old place, behind the true one, never ahead of it.
      const truth = await trueRanks('r-view', ids);
      const stale = await poll();
      record(stale);
      stale.forEach((a, i) => {
        if (a.body.status === 'waiting') expect(a.body.position as number).toBeGreaterThanOrEqual(truth[i]! + 1);
      });
      await settle();
      // Read: exactly the true place for those still waiting. The gate is asked only for the admitted (i < admitted so
      // far) and the one now first (i = admitted so far, 0 ahead by the counters): buyer i waits at i - admitted + 1.
      gatePolls = 0;
      const fresh = await poll();
      record(fresh);
      fresh.forEach((a, i) => {
        if (i < admittedSoFar) expect(a.body.status).toBe('admitted');
        else expect(a.body).toMatchObject({ status: 'waiting', position: i - admittedSoFar + 1 });
      });
      expect(gatePolls).toBe(Math.min(admittedSoFar + 1, 40));
    }
    // Every buyer's places, in the order shown: never up.
    for (const [, places] of shown) expect(places).toEqual([...places].sort((a, b) => b - a));
  });

  it('tells a waiting buyer the round sold out from the counters, without a call of their own', async () => {
    await openSale('r-view-out', { totalAmount: 50_000, perPersonMonthlyLimit: 50_000, waitingRoom: { admissionPerMinute: 60, maxActiveSessions: 1_000, order: 'fifo' } });
    const first = await buyer.join('r-view-out', 'out-0');
    for (let i = 1; i < 4; i++) await buyer.join('r-view-out', `out-${i}`);
    const waiting = await buyer.join('r-view-out', 'out-4');
    // 60 a minute: at most 2 admitted in one step (two seconds' worth), so out-4 waits behind 4 - k.
    const k = await gate.admit('r-view-out');
    expect(k).toBeGreaterThanOrEqual(1);
    expect(k).toBeLessThanOrEqual(2);
    await buyer.admitted('r-view-out', first);
    expect((await buyer.status('r-view-out', waiting)).body).toMatchObject({ status: 'waiting', position: 5 - k });
    expect((await buyer.buy('r-view-out', first, 50_000)).status).toBe(200);
    await settle();
    gatePolls = 0;
    const told = await buyer.status('r-view-out', waiting);
    expect(told.status).toBe(410);
    expect(told.body.error?.key).toBe('sale.soldOut');
    expect(gatePolls).toBe(0);
  });
});

describe('a purchase checked by the poll before its payment', () => {
  const purchase = (buyerId: string, ticketId: string, key: string) => ({
    buyerId, ticketId, idempotencyKey: key, face: 10_000, paid: 9_000, eventId: `sale-${key}`, lotId: `lot-${key}`, districtCode: '11110', method: 'bank_transfer', payment: '{}',
  });

  it('buys nothing when the session the poll found live ran out, or the round closed, while the payment went through', async () => {
    await openSale('r-window', { totalAmount: 1_000_000, waitingRoom: { admissionPerMinute: 600_000, maxActiveSessions: 1_000, order: 'fifo' } });
    const ticket = await buyer.join('r-window', 'win-0');
    await gate.admit('r-window');
    const ticketId = (await gate.redis.hget(roundKey('r-window', 'tickets'), 'win-0'))!;
    const live = await gate.poll('r-window', 'win-0', ticketId);
    expect(live.status).toBe('admitted');
    const hour = Date.now() + 3_600_000;
    // Judged on Redis's clock inside the purchase's own call: an end a second ago refuses, whatever the process thinks.
    expect(await gate.buy('r-window', purchase('win-0', ticketId, 'late-session'), { sessionEndsAt: Date.now() - 1_000, closesAt: hour })).toEqual({ status: 'refused', key: 'sale.sessionExpired' });
    expect(await gate.buy('r-window', purchase('win-0', ticketId, 'late-close'), { sessionEndsAt: hour, closesAt: Date.now() - 1_000 })).toEqual({ status: 'refused', key: 'sale.closed' });
    // Nothing recorded: no stock taken, nothing in the stream, and the buyer still buys with a live session.
    expect((await gate.counters('r-window')).sold).toBe(0);
    expect((await buyer.buy('r-window', ticket, 10_000)).status).toBe(200);
    expect((await gate.counters('r-window')).sold).toBe(10_000);
  });
});
