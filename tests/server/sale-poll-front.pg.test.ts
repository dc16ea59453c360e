import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SaleGate } from '../../server/sale/gate.js';
import { PaymentStandIn } from '../../server/sale/payment-stand-in.js';
import type { PrivateRedis } from '../../server/sale/private-redis.js';
import { registerSaleRoutes } from '../../server/sale/routes.js';
import { sign } from '../../server/sale/signing.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import { startTestRedis } from '../support/redis.js';
import { openLiveSale, SaleBuyer } from '../support/sale-buyer.js';
import { ServerHarness, type Staff } from '../support/server-harness.js';

/**
 * Issue 19: a waiting buyer's poll is answered by the HTTP server in front of
 * Fastify (routes.ts putInFront). Two sale processes on one gate: `front` as
 * `npm run server -- --sale` runs it, `plain` with every poll through Fastify.
 * Each case is asked of both; status, headers (but the date) and body must be
 * the same, and the requests that reached `front`'s Fastify (counted by an
 * onRequest hook) show which cases the front door answered itself.
 */
const secret = Buffer.alloc(32, 11);
const VIEW_MS = 40;
let redis: PrivateRedis;
let h: ServerHarness;
let staff: Staff;
let gate: SaleGate;
let front: FastifyInstance;
let plain: FastifyInstance;
let urls: { front: string; plain: string };
let buyer: SaleBuyer;
const stops: (() => void)[] = [];
/** Requests that reached the front process's Fastify. */
let reachedFastify = 0;

const settle = () => new Promise((r) => setTimeout(r, VIEW_MS * 4));
const urlOf = (app: FastifyInstance) => `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

beforeAll(async () => {
  redis = await startTestRedis();
  h = await ServerHarness.start();
  staff = await h.staff();
  gate = await SaleGate.connect(redis.url, 1);
  const options = { db: h.sdb.db, gate, payment: new PaymentStandIn(), secret, admitEveryMs: 3_600_000, pollViewEveryMs: VIEW_MS };
  front = Fastify({ logger: false });
  front.addHook('onRequest', async () => {
    reachedFastify++;
  });
  stops.push(registerSaleRoutes(front, options).stop);
  plain = Fastify({ logger: false });
  stops.push(registerSaleRoutes(plain, { ...options, pollsBeforeFastify: false }).stop);
  await front.listen({ port: 0, host: '127.0.0.1' });
  await plain.listen({ port: 0, host: '127.0.0.1' });
  urls = { front: urlOf(front), plain: urlOf(plain) };
  buyer = new SaleBuyer(urls.plain);
});

afterAll(async () => {
  for (const stop of stops) stop();
  await front?.close();
  await plain?.close();
  await gate?.close();
  await h?.close();
  await redis?.stop();
});

const openSale = (roundId: string, patch: Partial<RoundSpec>) => openLiveSale(h, staff, roundId, patch);

type Seen = { status: number; headers: Record<string, string>; body: string };

async function ask(url: string, path: string, method = 'GET'): Promise<Seen> {
  const res = await fetch(`${url}${path}`, { method });
  const headers = Object.fromEntries([...res.headers].filter(([k]) => k !== 'date'));
  return { status: res.status, headers, body: await res.text() };
}

/** The same request of both processes: the same answer, and whether the front door answered it (nothing reached Fastify). */
async function both(path: string, method = 'GET'): Promise<{ seen: Seen; byFront: boolean }> {
  const before = reachedFastify;
  const a = await ask(urls.front, path, method);
  const byFront = reachedFastify === before;
  const b = await ask(urls.plain, path, method);
  expect(a, path).toEqual(b);
  return { seen: a, byFront };
}

const statusPath = (roundId: string, ticket: string) => `/sale/rounds/${roundId}/status?ticket=${ticket}`;
const ticketFor = (roundId: string, exp: number) => sign(secret, { kind: 'ticket', exp, roundId, buyerId: 'someone', districtCode: '11110', birthYear: 1980, ticketId: 'tid-1' });

describe('polls answered in front of Fastify', () => {
  it('answers a waiting buyer, and refuses forged, expired and replayed tickets, exactly as the Fastify route does', async () => {
    // One admission a minute and none run (the ticker is set to an hour): whoever joins waits, in join order.
    await openSale('r-front', { waitingRoom: { admissionPerMinute: 1, maxActiveSessions: 1, order: 'fifo' } });
    const tickets: string[] = [];
    for (let i = 0; i < 3; i++) tickets.push(await buyer.join('r-front', `front-${i}`));
    const waiting = tickets[2]!;

    // First poll: the gate is asked (an await), so the front door leaves it to the route, in both processes.
    const first = await both(statusPath('r-front', waiting));
    expect(first.byFront).toBe(false);
    expect(JSON.parse(first.seen.body)).toMatchObject({ status: 'waiting', position: 3 });
    await settle();
    // Next polls: from the counters, by the front door, with the route's headers and bytes.
    const again = await both(statusPath('r-front', waiting));
    expect(again.byFront).toBe(true);
    expect(again.seen.status).toBe(200);
    expect(again.seen.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(again.seen.body)).toEqual({ status: 'waiting', position: 3, wait: null });

    // A ticket whose signature's first character is another (its last carries padding bits a change may not touch).
    const dot = waiting.indexOf('.');
    const other = waiting[dot + 1] === 'A' ? 'B' : 'A';
    const forged = await both(statusPath('r-front', `${waiting.slice(0, dot + 1)}${other}${waiting.slice(dot + 2)}`));
    expect([forged.byFront, forged.seen.status, JSON.parse(forged.seen.body).error.key]).toEqual([true, 401, 'sale.ticketForged']);
    const expired = await both(statusPath('r-front', ticketFor('r-front', Date.now() - 1_000)));
    expect([expired.byFront, expired.seen.status, JSON.parse(expired.seen.body).error]).toEqual([true, 401, { key: 'sale.ticketExpired', message: '대기표가 만료되었습니다' }]);
    // A good ticket of one round presented at another.
    const replayed = await both(statusPath('r-other', waiting));
    expect([replayed.byFront, replayed.seen.status, JSON.parse(replayed.seen.body).error.key]).toEqual([true, 409, 'sale.ticketReplayed']);
  });

  it('leaves every other shape of request to Fastify, which answers it as before', async () => {
    await openSale('r-shapes', { waitingRoom: { admissionPerMinute: 1, maxActiveSessions: 1, order: 'fifo' } });
    // The second in the queue: the first's turn may come any moment, so the first's polls all go to the gate.
    await buyer.join('r-shapes', 'shapes-0');
    const t = await buyer.join('r-shapes', 'shapes-1');
    await both(statusPath('r-shapes', t));
    await settle();
    expect((await both(statusPath('r-shapes', t))).byFront).toBe(true);
    const cases: [string, string, number][] = [
      // [method, path, status Fastify gives]
      ['POST', statusPath('r-shapes', t), 404],
      ['GET', `/sale/rounds/r-shapes/status/?ticket=${t}`, 404],
      ['GET', '/sale/rounds/r-shapes/status', 400],
      ['GET', '/sale/rounds/r-shapes/status?ticket=', 401],
      ['GET', `/sale/rounds/bad!round/status?ticket=${t}`, 400],
      ['GET', `/sale/rounds/r-shapes/status?ticket=${t}&ticket=${t}`, 400],
      ['GET', `/sale/rounds/r-shapes/status?ticket=${encodeURIComponent('%')}${t}`, 401],
      // An unknown round: a good ticket for it gets past the ticket check, and the gate says the round is not on sale.
      ['GET', statusPath('r-nowhere', ticketFor('r-nowhere', Date.now() + 60_000)), 404],
    ];
    for (const [method, path, status] of cases) {
      const r = await both(path, method);
      expect([path, r.byFront, r.seen.status]).toEqual([path, false, status]);
    }
    // Also with the extra parameter a cache-busting client adds: Fastify's answer, the waiting place.
    const busted = await both(`${statusPath('r-shapes', t)}&_=1`);
    expect([busted.byFront, JSON.parse(busted.seen.body)]).toEqual([false, { status: 'waiting', position: 2, wait: null }]);
    // HEAD: Fastify's own route for it (no body), never the front door's.
    const head = await both(statusPath('r-shapes', t), 'HEAD');
    expect([head.byFront, head.seen.status, head.seen.body]).toEqual([false, 200, '']);
  });

  it('tells a waiting buyer the round sold out, and after closesAt that it closed, from the counters as the route does', async () => {
    await openSale('r-front-out', { totalAmount: 50_000, perPersonMonthlyLimit: 50_000, waitingRoom: { admissionPerMinute: 60, maxActiveSessions: 1, order: 'fifo' } });
    const first = await buyer.join('r-front-out', 'out-0');
    const waiting = await buyer.join('r-front-out', 'out-1');
    expect(await gate.admit('r-front-out')).toBe(1);
    await buyer.admitted('r-front-out', first);
    expect((await both(statusPath('r-front-out', waiting))).seen.body).toContain('"waiting"');
    expect((await buyer.buy('r-front-out', first, 50_000)).status).toBe(200);
    await settle();
    const out = await both(statusPath('r-front-out', waiting));
    expect([out.byFront, out.seen.status, JSON.parse(out.seen.body).error]).toEqual([true, 410, { key: 'sale.soldOut', message: '준비된 상품권이 모두 판매되었습니다' }]);

    await openSale('r-front-close', { closesAt: new Date(Date.now() + 1_500).toISOString(), waitingRoom: { admissionPerMinute: 1, maxActiveSessions: 1, order: 'fifo' } });
    await buyer.join('r-front-close', 'close-0');
    const late = await buyer.join('r-front-close', 'close-1');
    expect(JSON.parse((await both(statusPath('r-front-close', late))).seen.body)).toMatchObject({ status: 'waiting', position: 2 });
    await new Promise((r) => setTimeout(r, 1_600));
    await settle();
    const closed = await both(statusPath('r-front-close', late));
    expect([closed.byFront, closed.seen.status, JSON.parse(closed.seen.body).error]).toEqual([true, 410, { key: 'sale.closed', message: '판매가 끝났습니다' }]);
  });
});
