import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSale } from '../../server/sale/check.js';
import { SaleGate } from '../../server/sale/gate.js';
import { SaleLedgerWriter } from '../../server/sale/ledger-writer.js';
import { PaymentStandIn } from '../../server/sale/payment-stand-in.js';
import type { PrivateRedis } from '../../server/sale/private-redis.js';
import { startTestRedis } from '../support/redis.js';
import { liveSaleSpec, SaleBuyer, serveSale } from '../support/sale-buyer.js';
import { ServerHarness, type Staff } from '../support/server-harness.js';

/**
 * A purchase whose Redis call times out (Redis paused with CLIENT PAUSE while
 * the purchase is on its way) is "unknown": the buyer is never told it failed
 * while the stock may have been taken, and the same purchase sent again is
 * answered from what the gate recorded, bought once and paid once.
 */
let redis: PrivateRedis;
let h: ServerHarness;
let staff: Staff;
let gate: SaleGate;
let sale: Awaited<ReturnType<typeof serveSale>>;
let buyer: SaleBuyer;
let pauser: Redis;
const payment = new PaymentStandIn({ tps: 10_000, latencyMs: 300, failureRate: 0 });

beforeAll(async () => {
  redis = await startTestRedis();
  h = await ServerHarness.start();
  staff = await h.staff();
  gate = await SaleGate.connect(redis.url, 1, { commandTimeoutMs: 300 });
  sale = await serveSale(h.sdb.db, gate, { secret: Buffer.alloc(32, 3), payment });
  buyer = sale.buyer;
  pauser = new Redis(redis.url);
});

afterAll(async () => {
  await sale?.close();
  pauser?.disconnect();
  await gate?.close();
  await h?.close();
  await redis?.stop();
});

describe('a purchase Redis does not answer in time', () => {
  it('is unknown, not failed; sent again with its key it is bought once, paid once, and the log agrees', async () => {
    const spec = liveSaleSpec({ waitingRoom: { admissionPerMinute: 60_000, maxActiveSessions: 100, order: 'fifo' } });
    await h.openRound('r-unknown', spec, staff.official, staff.official2, new Date());
    h.clock = null;
    const ticket = await buyer.join('r-unknown', 'slow-1');
    await buyer.admitted('r-unknown', ticket);

    // The purchase passes its checks and waits 300 ms for the payment; meanwhile Redis stops taking writes for 1.5 s.
    const sent = buyer.buy('r-unknown', ticket, 50_000, 'paused-key-1');
    await new Promise((r) => setTimeout(r, 100));
    await pauser.call('CLIENT', 'PAUSE', '1500', 'WRITE');
    const first = await sent;
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'unknown', message: '구매 결과를 확인하고 있습니다. 결제가 두 번 되지 않으니 잠시 후 같은 구매를 다시 요청하세요' });
    expect(payment.voided).toBe(0);

    // Redis back: the paused purchase ran; the same request is answered with it.
    await new Promise((r) => setTimeout(r, 1_700));
    const again = await buyer.buy('r-unknown', ticket, 50_000, 'paused-key-1');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'bought', eventId: first.body.eventId, duplicate: true });
    // The retry found the purchase made and asked for no payment; the first authorisation is the purchase's and stands.
    expect(payment.voided).toBe(0);

    const writer = new SaleLedgerWriter(h.sdb.db, gate.duplicate(), 'unknown-writer', 100);
    while ((await writer.step('r-unknown')).read > 0);
    writer['redis'].disconnect();
    const lots = await sql<{ buyer_id: string; face: number }>`select buyer_id, face from lots where round_id = 'r-unknown'`.execute(h.sdb.db);
    expect(lots.rows).toEqual([{ buyer_id: 'slow-1', face: 50_000 }]);
    const ev = await sql<{ event_id: string }>`select event_id from events where type = 'purchase' and round_id = 'r-unknown'`.execute(h.sdb.db);
    expect(ev.rows).toEqual([{ event_id: first.body.eventId }]);
    expect((await checkSale(h.sdb.db, gate, 'r-unknown')).ok).toBe(true);
  });
});
