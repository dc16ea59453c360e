import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectServerDb, type ServerDb } from '../../server/db/connect.js';
import { SaleLedgerWriter } from '../../server/sale/ledger-writer.js';
import { SaleGate } from '../../server/sale/gate.js';
import { startPrivateRedis, type PrivateRedis } from '../../server/sale/private-redis.js';
import { signInAs } from '../support/http-client.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { liveSaleSpec, SaleBuyer, type SaleReply } from '../support/sale-buyer.js';
import { openSaleRound, startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * Faults during a sale, against real processes: two sale processes
 * (`npm run server -- --sale --redis URL`, one SALE_SECRET) on one Redis
 * (AOF, everysec) and one PostgreSQL of this file's own, so each can be
 * killed or stopped. Buyers send a purchase again with the same idempotency
 * key until they get an answer, as the buyer page does; then nothing sold
 * may be lost or doubled, and Redis must equal PostgreSQL.
 */
let pg: TestPostgres;
let redis: PrivateRedis;
let a: ServerProcess;
let b: ServerProcess;
let sdb: ServerDb;
let token: string;
const SECRET = 'ab'.repeat(32);

beforeAll(async () => {
  pg = await startPostgres();
  const dbUrl = await pg.createDatabase('sale_faults');
  redis = await startPrivateRedis();
  const args = ['--sale', '--redis', redis.url];
  a = await startServerProcess(dbUrl, { SALE_SECRET: SECRET }, args);
  b = await startServerProcess(dbUrl, { SALE_SECRET: SECRET }, args);
  token = await signInAs(a.url);
  sdb = await connectServerDb({ url: dbUrl });
}, 120_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await sdb?.close();
  await redis?.stop();
  await pg?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A purchase sent until the sale answers it for good: a refused connection, a 5xx or an unknown outcome is sent again, same key. */
async function buyUntilAnswered(buyers: SaleBuyer[], roundId: string, ticket: string, key: string, face = 10_000): Promise<SaleReply & { tries: number }> {
  for (let tries = 1; ; tries++) {
    const via = buyers[(tries - 1) % buyers.length]!;
    const r = await via.buy(roundId, ticket, face, key).catch(() => null);
    if (r && r.status !== 202 && r.status < 500) return { ...r, tries };
    if (tries > 100) throw new Error(`no answer for ${key}: ${JSON.stringify(r)}`);
    await sleep(150);
  }
}

/** Joined through `via`, admitted: the ticket. */
async function ready(via: SaleBuyer, roundId: string, buyerId: string): Promise<string> {
  const t = await via.join(roundId, buyerId);
  await via.admitted(roundId, t);
  return t;
}

/** The sale process's check once its writer has caught up: Redis against the log. */
async function settled(via: ServerProcess, roundId: string, withinMs = 20_000): Promise<Record<string, unknown>> {
  const until = Date.now() + withinMs;
  for (;;) {
    const r = await fetch(`${via.url}/api/sale/${roundId}/check`, { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
    const body = r?.ok ? ((await r.json()) as Record<string, unknown>) : null;
    if (body && body.lag === 0 && body.ok === true) return body;
    if (Date.now() > until) throw new Error(`sale ${roundId} never settled: ${JSON.stringify(body)}`);
    await sleep(250);
  }
}

async function lotsOf(roundId: string): Promise<Map<string, number[]>> {
  const rows = (await sql<{ buyer_id: string; face: number }>`select buyer_id, face from lots where round_id = ${roundId}`.execute(sdb.db)).rows;
  const out = new Map<string, number[]>();
  for (const r of rows) out.set(r.buyer_id, [...(out.get(r.buyer_id) ?? []), Number(r.face)]);
  return out;
}

const spec = () => liveSaleSpec({ totalAmount: 1_000_000, perPersonMonthlyLimit: 50_000 });

describe('sale faults', () => {
  it('kill -9 of one of two sale processes mid-sale: buyers go on through the other; nothing lost or doubled', async () => {
    await openSaleRound(a.url, token, 'f-kill', spec());
    const viaA = new SaleBuyer(a.url);
    const viaB = new SaleBuyer(b.url);
    const ids = Array.from({ length: 40 }, (_, i) => `kill-${i}`);
    const tickets = await Promise.all(ids.map((id, i) => ready(i % 2 ? viaB : viaA, 'f-kill', id)));
    // Every buyer buys once; those on B are still on their way when B is killed, and send again through A.
    const answers = Promise.all(tickets.map((t, i) => buyUntilAnswered(i % 2 ? [viaB, viaA] : [viaA], 'f-kill', t, `kill-key-${i}`)));
    await sleep(40);
    b.child.kill('SIGKILL');
    const done = await answers;
    expect(done.map((d) => d.status)).toEqual(Array(40).fill(200));
    console.log(`kill -9: ${done.filter((d, i) => i % 2 === 1 && d.tries > 1).length} of 20 purchases on B were cut off and sent again through A`);
    const check = await settled(a, 'f-kill');
    expect(check).toMatchObject({ ok: true, stock: 1_000_000, soldRedis: 400_000, left: 600_000, soldLog: 400_000 });
    const lots = await lotsOf('f-kill');
    expect([...lots.keys()].sort()).toEqual([...ids].sort());
    for (const faces of lots.values()) expect(faces).toEqual([10_000]);
  }, 90_000);

  it('Redis killed and restarted on its AOF mid-sale: nothing sold is lost and the sale resumes', async () => {
    await openSaleRound(a.url, token, 'f-redis', spec());
    const viaA = new SaleBuyer(a.url);
    const ids = Array.from({ length: 30 }, (_, i) => `redis-${i}`);
    const tickets = await Promise.all(ids.map((id) => ready(viaA, 'f-redis', id)));
    const before = await Promise.all(tickets.slice(0, 15).map((t, i) => buyUntilAnswered([viaA], 'f-redis', t, `redis-key-${i}`)));
    expect(before.map((d) => d.status)).toEqual(Array(15).fill(200));
    // The rest buy while Redis is killed (kill -9) and started again on the same folder.
    const after = Promise.all(tickets.slice(15).map((t, i) => buyUntilAnswered([viaA], 'f-redis', t, `redis-key-${15 + i}`)));
    await sleep(20);
    await redis.restart();
    const done = await after;
    expect(done.map((d) => d.status)).toEqual(Array(15).fill(200));
    // Each answer names the purchase the gate holds: the first 15 kept through the restart.
    const gate = await SaleGate.connect(redis.url, 1);
    try {
      const bought = await gate.boughtByBuyer('f-redis');
      expect([...bought.keys()].sort()).toEqual([...ids].sort());
    } finally {
      await gate.close();
    }
    expect(await settled(a, 'f-redis')).toMatchObject({ ok: true, soldRedis: 300_000, soldLog: 300_000 });
    const lots = await lotsOf('f-redis');
    expect(lots.size).toBe(30);
    for (const faces of lots.values()) expect(faces).toEqual([10_000]);
    const events = (await sql<{ event_id: string }>`select event_id from events where type = 'purchase' and round_id = 'f-redis'`.execute(sdb.db)).rows.map((r) => r.event_id);
    expect(new Set(events)).toEqual(new Set([...before, ...done].map((d) => d.body.eventId)));
  }, 90_000);

  it('PostgreSQL stopped mid-sale: purchases go on into the stream, and the log catches up after', async () => {
    // The 30 s. Purchases come throughout it (a first half at once, the rest near its end): they only need
    // Redis, and the writer retries each second, so the stream grows and the log catches up after.
    const outageMs = Number(process.env.SALE_FAULT_PG_OUTAGE_MS ?? 30_000);
    await openSaleRound(a.url, token, 'f-pg', spec());
    const viaA = new SaleBuyer(a.url);
    const ids = Array.from({ length: 20 }, (_, i) => `pg-${i}`);
    // Joining reads the buyer's standing from the log, so buyers join before the outage.
    const tickets = await Promise.all(ids.map((id) => ready(viaA, 'f-pg', id)));
    const watcher = new SaleLedgerWriter(sdb.db, (await SaleGate.connect(redis.url, 1)).redis, 'f-pg-watcher');
    await pg.halt();
    const stoppedAt = Date.now();
    try {
      const buy = (from: number, to: number) => Promise.all(tickets.slice(from, to).map((t, i) => buyUntilAnswered([viaA], 'f-pg', t, `pg-key-${from + i}`)));
      const first = await buy(0, 10);
      expect(await watcher.lag('f-pg')).toBe(10);
      await sleep(Math.max(0, outageMs - 3_000 - (Date.now() - stoppedAt)));
      const second = await buy(10, 20);
      expect([...first, ...second].map((d) => d.status)).toEqual(Array(20).fill(200));
      // All 20 in the stream, none yet in the log: PostgreSQL has been down the whole time.
      expect(await watcher.lag('f-pg')).toBe(20);
      expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(outageMs - 3_000);
      await sleep(Math.max(0, outageMs - (Date.now() - stoppedAt)));
    } finally {
      await pg.resume();
    }
    watcher['redis'].disconnect();
    expect(await settled(a, 'f-pg')).toMatchObject({ ok: true, soldRedis: 200_000, soldLog: 200_000 });
    const lots = await lotsOf('f-pg');
    expect(lots.size).toBe(20);
  }, 120_000);
});
