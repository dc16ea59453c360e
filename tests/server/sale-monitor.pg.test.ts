import Fastify, { type FastifyInstance } from 'fastify';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SaleGate } from '../../server/sale/gate.js';
import { SaleLedgerWriter } from '../../server/sale/ledger-writer.js';
import { roundKeys } from '../../server/sale/keys.js';
import { histogramQuantile, registerMonitorRoute } from '../../server/sale/monitor.js';
import { PaymentStandIn } from '../../server/sale/payment-stand-in.js';
import type { PrivateRedis } from '../../server/sale/private-redis.js';
import { registerSaleRoutes } from '../../server/sale/routes.js';
import type { SaleChange } from '../../shared/rounds/steering.js';
import { saleMonitorSchema, type SaleMonitor } from '../../shared/sync/sale-monitor-wire.js';
import { startTestRedis } from '../support/redis.js';
import { liveSaleSpec, SaleBuyer } from '../support/sale-buyer.js';
import { ServerHarness, type Staff } from '../support/server-harness.js';

/**
 * The live monitor's counters (issue 19, item 3, server side): after a
 * scripted sale of a few buyers, `GET /api/sale/ROUND/monitor`, asked as a
 * hand-made HTTP request, answers the figures counted by hand below.
 */

const secret = Buffer.alloc(32, 5);
let redis: PrivateRedis;
let h: ServerHarness;
let staff: Staff;
let clerk: string;
let analyst: string;
let gate: SaleGate;
let writerRedis: Redis | Cluster;
let writer: SaleLedgerWriter;
let app: FastifyInstance;
let url: string;
let stop: () => void;
let buyer: SaleBuyer;
const payment = new PaymentStandIn();

beforeAll(async () => {
  redis = await startTestRedis();
  h = await ServerHarness.start();
  staff = await h.staff();
  clerk = await h.user('park', 'clerk', '11110');
  analyst = await h.user('choi', 'analyst');
  gate = await SaleGate.connect(redis.url, 2);
  writerRedis = gate.duplicate();
  writer = new SaleLedgerWriter(h.sdb.db, writerRedis, 'monitor-writer', 100);
  app = Fastify({ logger: false });
  stop = registerSaleRoutes(app, { db: h.sdb.db, gate, payment, secret, admitEveryMs: 20 }).stop;
  registerMonitorRoute(app, h.sdb.db, gate, writer);
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  buyer = new SaleBuyer(url);
});

afterAll(async () => {
  stop?.();
  await app?.close();
  writerRedis?.disconnect();
  await gate?.close();
  await h?.close();
  await redis?.stop();
});

async function monitorAs(roundId: string, token?: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/api/sale/${roundId}/monitor`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: await res.json() };
}

async function monitor(roundId: string): Promise<SaleMonitor> {
  const r = await monitorAs(roundId, staff.official);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return saleMonitorSchema.parse(r.body);
}

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

async function openSale(roundId: string, totalAmount: number): Promise<void> {
  await h.openRound(roundId, liveSaleSpec({ totalAmount, perPersonMonthlyLimit: 50_000, waitingRoom: { admissionPerMinute: 60_000, maxActiveSessions: 100, order: 'fifo' } }), staff.official, staff.official2, new Date());
  h.clock = null;
  // The sale process serves the round from its first request on.
  expect((await buyer.call('GET', `/sale/rounds/${roundId}`)).status).toBe(200);
}

describe('the live monitor on the server', () => {
  it('after five buyers, one payment error and one refused join, the counters equal the hand count', async () => {
    await openSale('r-mon', 100_000);
    // Bought by hand: 10,000 + 50,000 + 20,000 + 10,000 (after one refused payment) + 10,000 = 100,000, the whole stock.
    const plan: [string, number][] = [['m1', 10_000], ['m2', 50_000], ['m3', 20_000], ['m4', 10_000], ['m5', 10_000]];
    const tickets = new Map<string, string>();
    for (const [id] of plan) tickets.set(id, await buyer.join('r-mon', id));
    for (const t of tickets.values()) await buyer.admitted('r-mon', t);
    for (const [id, face] of plan) {
      if (id === 'm4') {
        payment.settings.failureRate = 1;
        expect((await buyer.buy('r-mon', tickets.get(id)!, face)).status).toBe(402);
        payment.settings.failureRate = 0;
      }
      expect((await buyer.buy('r-mon', tickets.get(id)!, face)).status).toBe(200);
    }
    // Sold out: a sixth buyer is turned away at the door.
    const id = await buyer.call('POST', '/sale/identity', { buyerId: 'm6', districtCode: '11110', birthYear: 1980 });
    expect((await buyer.call('POST', '/sale/rounds/r-mon/join', { identity: id.body.identity })).status).toBe(410);

    const m = await monitor('r-mon');
    expect(m).toMatchObject({
      stock: 100_000, left: 0, sold: 100_000, purchases: 5, arrivals: 5, admitted: 5, waiting: 0, active: 0, expired: 0,
      refused: 1, paymentErrors: 1, soldOut: true, paused: false, stopped: false, lastChange: null, proposals: [],
      settings: { admissionPerMinute: 60_000, maxActiveSessions: 100, sessionTimeoutMinutes: 10 },
      // Nothing written into the log yet: all five purchases wait for the writer.
      writerLag: 5,
    });
    expect(sum(m.perMinute.arrivals)).toBe(5);
    expect(sum(m.perMinute.admitted)).toBe(5);
    expect(sum(m.perMinute.sold)).toBe(100_000);
    // The series start ten minutes before the opening (a minute ago) and end at the current minute.
    expect(m.perMinute.firstMinute).toBe(-10);
    expect(m.perMinute.sold.length).toBeGreaterThanOrEqual(11);
    expect(m.perMinute.sold.length).toBeLessThanOrEqual(13);
    // Admitted within a second or so of joining (20 ms admission steps): one sample each, in the 1 s bins.
    expect(m.wait?.samples).toBe(5);
    expect(m.wait!.p90Seconds).toBeLessThanOrEqual(5);

    // sale_bought repeated for a purchase already counted (as purchaseOutcome does after a lost answer) counts nothing twice.
    const keys = roundKeys('r-mon');
    expect(await gate.redis.call('FCALL', 'sale_bought', keys.length, ...keys, 'm2', 50_000, Date.now())).toBe(0);
    const again = await monitor('r-mon');
    expect(sum(again.perMinute.sold)).toBe(100_000);
    expect(again).toMatchObject({ sold: 100_000, purchases: 5 });

    while ((await writer.step('r-mon')).read > 0);
    expect((await monitor('r-mon')).writerLag).toBe(0);
  });

  it('shows the last steering change and who made it, and the proposal waiting for a second official', async () => {
    await openSale('r-mon-steer', 200_000);
    const steer = (change: SaleChange, token: string, commandId?: string) =>
      h.post('/api/commands', { type: 'steer_sale', commandId: commandId ?? `c-${Math.random().toString(36).slice(2, 10)}`, sentAt: new Date().toISOString(), roundId: 'r-mon-steer', change }, token);
    expect((await steer({ kind: 'pause' }, staff.official)).body).toMatchObject({ status: 'accepted' });
    expect((await monitor('r-mon-steer')).lastChange).toMatchObject({ change: { kind: 'pause' }, by: 'kim', proposedBy: null });
    expect((await steer({ kind: 'add_stock', amount: 50_000 }, staff.official, 'prop-mon-1')).body).toMatchObject({ status: 'accepted', seq: null });
    const waiting = await monitor('r-mon-steer');
    expect(waiting.proposals).toMatchObject([{ proposalId: 'prop-mon-1', change: { kind: 'add_stock', amount: 50_000 }, proposedBy: 'kim' }]);
    expect((await h.command({ type: 'approve_sale_change', roundId: 'r-mon-steer', proposalId: 'prop-mon-1' }, staff.official2)).result).toMatchObject({ status: 'accepted' });
    // The sale process re-reads the steering each second and hands the gate the added stock.
    for (let i = 0; i < 60 && (await monitor('r-mon-steer')).stock !== 250_000; i++) await new Promise((r) => setTimeout(r, 100));
    const after = await monitor('r-mon-steer');
    expect(after).toMatchObject({ stock: 250_000, left: 250_000, paused: true, proposals: [], lastChange: { change: { kind: 'add_stock', amount: 50_000 }, by: 'lee', proposedBy: 'kim' } });
  });

  it('reads p50 and p90 from the wait histogram as the upper edge of the bin holding the ⌈q·n⌉-th wait', () => {
    // Five waits: three in the 1 s bin, one in the 5 s bin, one in the 70 s bin. The 3rd (⌈2.5⌉) is in bin 1, the 5th (⌈4.5⌉) in bin 70.
    const bins = new Map([[70, 1], [1, 3], [5, 1]]);
    expect(histogramQuantile(bins, 0.5)).toBe(1);
    expect(histogramQuantile(bins, 0.9)).toBe(70);
    expect(histogramQuantile(bins, 0.8)).toBe(5);
    expect(histogramQuantile(new Map(), 0.5)).toBe(0);
  });

  it('answers officials, administrators and analysts; a clerk or no token gets 403, an unknown round 404', async () => {
    expect((await monitorAs('r-mon', analyst)).status).toBe(200);
    expect((await monitorAs('r-mon', staff.admin)).status).toBe(200);
    expect((await monitorAs('r-mon', clerk)).status).toBe(403);
    expect((await monitorAs('r-mon')).status).toBe(403);
    expect((await monitorAs('r-nowhere', staff.official)).status).toBe(404);
    expect((await monitorAs('bad%20id', staff.official)).status).toBe(400);
  });
});
