import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSale } from '../../server/sale/check.js';
import { SaleGate } from '../../server/sale/gate.js';
import { bucketKey, bucketKeys, bucketOf, roundKeys } from '../../server/sale/keys.js';
import { saleMonitor } from '../../server/sale/monitor.js';
import { SaleLedgerWriter } from '../../server/sale/ledger-writer.js';
import { startPrivateCluster, type PrivateCluster } from '../../server/sale/private-cluster.js';
import { liveSaleSpec, SaleBuyer, serveSale, type SaleReply } from '../support/sale-buyer.js';
import { ServerHarness, type Staff } from '../support/server-harness.js';

/**
 * The sale on a Redis Cluster of three primaries on loopback (Debian's
 * redis-server, cluster mode): the round's keys on one slot, each stock
 * bucket on its own, spread over the primaries; concurrent buyers sell
 * exactly the stock, each person's limits hold, a bucket that runs dry while
 * others hold stock is given their leftovers, and Redis equals PostgreSQL.
 */
const BUCKETS = 6;
let cluster: PrivateCluster;
let h: ServerHarness;
let staff: Staff;
let gate: SaleGate;
let sale: Awaited<ReturnType<typeof serveSale>>;
let buyer: SaleBuyer;
let writer: SaleLedgerWriter;

beforeAll(async () => {
  cluster = await startPrivateCluster(3);
  h = await ServerHarness.start();
  staff = await h.staff();
  gate = await SaleGate.connect(cluster.url, BUCKETS, { cluster: true });
  sale = await serveSale(h.sdb.db, gate, { secret: Buffer.alloc(32, 9) });
  buyer = sale.buyer;
  writer = new SaleLedgerWriter(h.sdb.db, gate.duplicate(), 'cluster-writer', 100);
}, 60_000);

afterAll(async () => {
  await sale?.close();
  writer?.['redis'].disconnect();
  await gate?.close();
  await h?.close();
  await cluster?.stop();
});

/** The primary (index into cluster.primaries) that holds a key's slot, asked of Redis itself. */
async function primaryOf(key: string): Promise<number> {
  const c = new Redis(cluster.url);
  const slot = Number(await c.call('CLUSTER', 'KEYSLOT', key));
  c.disconnect();
  return cluster.ranges.find(([first, last]) => slot >= first && slot <= last)![2];
}

describe('the sale on a 3-primary Redis Cluster', () => {
  it('keeps what a call touches on one slot and spreads the buckets over the primaries', async () => {
    const round = await Promise.all(roundKeys('r-cluster').map(primaryOf));
    expect(new Set(round).size).toBe(1);
    const buckets: number[] = [];
    for (let i = 0; i < BUCKETS; i++) {
      const owners = await Promise.all(bucketKeys('r-cluster', i).map(primaryOf));
      expect(new Set(owners).size).toBe(1);
      buckets.push(owners[0]!);
    }
    // For this round id the six bucket tags land on all three primaries (Redis's CRC16 of each tag, CLUSTER KEYSLOT).
    expect(new Set(buckets)).toEqual(new Set([0, 1, 2]));
  });

  it('sells exactly the stock to concurrent buyers all routed to one bucket: leftovers move, limits hold, Redis = PostgreSQL', async () => {
    // 20 units of 10,000 won in 6 buckets (4, 4, 3, 3, 3, 3 units); 30 buyers whose ids all hash to bucket 0,
    // each sending two purchases of 20,000 won at once under different keys: exactly 10 purchases can be made,
    // 8 of them from stock moved to bucket 0 from the others; one person buys at most once.
    await h.openRound('r-cluster', liveSaleSpec({ totalAmount: 200_000, perPersonMonthlyLimit: 50_000 }), staff.official, staff.official2, new Date());
    h.clock = null;
    const ids: string[] = [];
    for (let n = 0; ids.length < 30; n++) if (bucketOf(`cl-${n}`, BUCKETS) === 0) ids.push(`cl-${n}`);
    const tickets = await Promise.all(ids.map((id) => buyer.join('r-cluster', id)));
    expect(await gate.redis.get(bucketKey('r-cluster', 0, 'stock'))).toBe('40000');
    await Promise.all(tickets.map((t) => buyer.admitted('r-cluster', t)));

    // Over the monthly limit: refused before any stock is looked at.
    const over = await buyer.buy('r-cluster', tickets[0]!, 60_000);
    expect([over.status, over.body.error?.key]).toEqual([422, 'sale.monthlyLimit']);

    /**
     * A buyer page sends the same purchase again when told to retry (sale.notTaken: others took the moved stock
     * first). Each such answer means another of the 60 purchases took stock, so 60 tries always end it; the old cap
     * of 6 once left a unit unsold when one request lost the race seven times (9 bought, a full run at load ~3).
     */
    const buyOnce = async (t: string, key: string): Promise<SaleReply> => {
      for (let i = 0; ; i++) {
        const r = await buyer.buy('r-cluster', t, 20_000, key);
        if (r.body.error?.key !== 'sale.notTaken' || i === 59) return r;
      }
    };
    const answers = await Promise.all(tickets.flatMap((t, i) => [buyOnce(t, `first-${i}-key`), buyOnce(t, `second-${i}-key`)]));
    const bought = answers.filter((a) => a.status === 200);
    const tally = answers.reduce<Record<string, number>>((m, a) => ({ ...m, [a.body.error?.key ?? a.status]: (m[a.body.error?.key ?? a.status] ?? 0) + 1 }), {});
    expect(bought, `answers by kind: ${JSON.stringify(tally)}, the gate's counters: ${JSON.stringify(await gate.counters('r-cluster'))}`).toHaveLength(10);
    const refusals = answers.filter((a) => a.status !== 200).map((a) => a.body.error?.key);
    expect(new Set(refusals)).toEqual(new Set(['sale.soldOut', 'sale.ticketSpent']));
    // Each person at most one purchase of 20,000 won.
    const perBuyer = await gate.boughtByBuyer('r-cluster');
    expect([...perBuyer.values()]).toEqual(Array(10).fill(20_000));

    const counters = await gate.counters('r-cluster');
    expect(counters).toMatchObject({ sold: 200_000, purchases: 10, left: 0, stock: 200_000 });
    // The live monitor on the cluster: its keys on the round's slot, each purchase counted once in sale_bought (10 of 20,000 won).
    const m = (await saleMonitor(h.sdb.db, gate, writer, 'r-cluster'))!;
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect([sum(m.perMinute.arrivals), sum(m.perMinute.admitted), sum(m.perMinute.sold), m.wait?.samples]).toEqual([30, 30, 200_000, 30]);
    // The buckets other than 0 gave all they held to bucket 0.
    for (let i = 1; i < BUCKETS; i++) expect(await gate.redis.get(bucketKey('r-cluster', i, 'stock'))).toBe('0');

    while ((await writer.step('r-cluster')).read > 0);
    expect(await writer.lag('r-cluster')).toBe(0);
    const lots = await sql<{ buyer_id: string; face: number }>`select buyer_id, face from lots where round_id = 'r-cluster' order by buyer_id`.execute(h.sdb.db);
    expect(lots.rows.map((l) => Number(l.face))).toEqual(Array(10).fill(20_000));
    expect(new Set(lots.rows.map((l) => l.buyer_id))).toEqual(new Set(perBuyer.keys()));
    expect(await checkSale(h.sdb.db, gate, 'r-cluster')).toMatchObject({ ok: true, stock: 200_000, soldRedis: 200_000, left: 0, soldLog: 200_000 });
  });

  it('stock half-way between two buckets still counts: a buyer is not told "sold out" while a move toward them is unfinished', async () => {
    // 6 units of 10,000 won, one per bucket. Buckets 1, 2, 4 and 5 are sold; another purchase has taken bucket 3's unit
    // for bucket 0 and not yet added it there. A buyer routed to bucket 0 asks for 20,000: their bucket holds 10,000,
    // the others nothing, yet the round holds 20,000 (one unit there, one in transit) — they must get it.
    await h.openRound('r-transit', liveSaleSpec({ totalAmount: 60_000, perPersonMonthlyLimit: 50_000 }), staff.official, staff.official2, new Date());
    h.clock = null;
    const routed = (bucket: number, prefix: string) => {
      for (let n = 0; ; n++) if (bucketOf(`${prefix}-${n}`, BUCKETS) === bucket) return `${prefix}-${n}`;
    };
    for (const b of [1, 2, 4, 5]) {
      const id = routed(b, 'tr');
      const t = await buyer.join('r-transit', id);
      await buyer.admitted('r-transit', t);
      expect((await buyer.buy('r-transit', t, 10_000)).status).toBe(200);
    }
    const three = bucketKeys('r-transit', 3);
    expect(await gate.redis.call('FCALL', 'bucket_give', three.length, ...three, 'move-in-flight', '0', '10000')).toBe(10_000);
    const [t, next] = await Promise.all([routed(0, 'tr'), routed(0, 'next')].map((id) => buyer.join('r-transit', id)));
    await Promise.all([t, next].map((x) => buyer.admitted('r-transit', x!)));
    const r = await buyer.buy('r-transit', t!, 20_000);
    expect([r.status, r.body.error?.key]).toEqual([200, undefined]);
    expect(await gate.counters('r-transit')).toMatchObject({ sold: 60_000, purchases: 5, left: 0 });
    // Nothing left now, nothing moving: the next buyer is told so.
    const no = await buyer.buy('r-transit', next!, 10_000);
    expect([no.status, no.body.error?.key]).toEqual([410, 'sale.soldOut']);
    while ((await writer.step('r-transit')).read > 0);
    expect(await checkSale(h.sdb.db, gate, 'r-transit')).toMatchObject({ ok: true, stock: 60_000, soldRedis: 60_000, left: 0, soldLog: 60_000 });
  });

  it('a move cut short between its two halves is finished once: stock in transit is neither lost nor counted twice', async () => {
    // 6 units of 10,000 won: one per bucket. A process takes bucket 3's unit for bucket 0 and stops before adding it there.
    await h.openRound('r-moves', liveSaleSpec({ totalAmount: 60_000, perPersonMonthlyLimit: 50_000 }), staff.official, staff.official2, new Date());
    h.clock = null;
    expect((await buyer.call('GET', '/sale/rounds/r-moves')).status).toBe(200);
    const keys = bucketKeys('r-moves', 3);
    expect(await gate.redis.call('FCALL', 'bucket_give', keys.length, ...keys, 'move-1', '0', '10000')).toBe(10_000);
    const stock = async () => Promise.all(Array.from({ length: BUCKETS }, (_, i) => gate.redis.get(bucketKey('r-moves', i, 'stock')).then(Number)));
    expect(await stock()).toEqual([10_000, 10_000, 10_000, 0, 10_000, 10_000]);
    // In transit, it still counts as left.
    expect(await gate.counters('r-moves')).toMatchObject({ left: 60_000, sold: 0 });
    expect(await gate.settleMoves('r-moves')).toBe(1);
    expect(await gate.settleMoves('r-moves')).toBe(0);
    expect(await stock()).toEqual([20_000, 10_000, 10_000, 0, 10_000, 10_000]);
    expect(await gate.counters('r-moves')).toMatchObject({ left: 60_000, sold: 0 });
    // The check finishes a half-done move itself before it compares.
    expect(await gate.redis.call('FCALL', 'bucket_give', keys.length, ...keys, 'move-2', '1', '10000')).toBe(0);
    const five = bucketKeys('r-moves', 5);
    expect(await gate.redis.call('FCALL', 'bucket_give', five.length, ...five, 'move-3', '1', '10000')).toBe(10_000);
    expect(await checkSale(h.sdb.db, gate, 'r-moves')).toMatchObject({ ok: true, stock: 60_000, soldRedis: 0, left: 60_000 });
    expect(await stock()).toEqual([20_000, 20_000, 10_000, 0, 10_000, 0]);
  });
});
