import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertLots } from '../../server/log/state.js';
import { checkSale } from '../../server/sale/check.js';
import { SaleGate } from '../../server/sale/gate.js';
import { streamKey } from '../../server/sale/keys.js';
import { SaleLedgerWriter } from '../../server/sale/ledger-writer.js';
import { PaymentStandIn } from '../../server/sale/payment-stand-in.js';
import type { PrivateRedis } from '../../server/sale/private-redis.js';
import { registerSaleRoutes } from '../../server/sale/routes.js';
import { sign, type Ticket } from '../../server/sale/signing.js';
import { waitBand } from '../../server/sale/wait-band.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import { ServerHarness, type Staff } from '../support/server-harness.js';
import { startTestRedis } from '../support/redis.js';
import { liveSaleSpec, SaleBuyer } from '../support/sale-buyer.js';
import { formatSeoul } from '../../shared/common/time.js';

const secret = Buffer.alloc(32, 7);
let redis: PrivateRedis;
let h: ServerHarness;
let staff: Staff;
let gate: SaleGate;
let writer: SaleLedgerWriter;
let sale: FastifyInstance;
let saleUrl: string;
let stopTicker: () => void;
/** Connections the writers opened, closed before Redis stops. */
const extra: { disconnect(): void }[] = [];
const connection = () => {
  const c = gate.duplicate();
  extra.push(c);
  return c;
};

const saleSpec = liveSaleSpec;

async function openSale(roundId: string, patch: Partial<RoundSpec> = {}): Promise<RoundSpec> {
  const spec = saleSpec(patch);
  await h.openRound(roundId, spec, staff.official, staff.official2, new Date());
  h.clock = null;
  return spec;
}

let buyer: SaleBuyer;
const join = (roundId: string, buyerId: string) => buyer.join(roundId, buyerId);
const status = (roundId: string, ticket: string) => buyer.status(roundId, ticket);
const admitted = (roundId: string, ticket: string) => buyer.admitted(roundId, ticket);
const buy = (roundId: string, ticket: string, face: number, idempotencyKey?: string) => buyer.buy(roundId, ticket, face, idempotencyKey);

/** Every purchase the gate took, copied into PostgreSQL. */
async function drain(roundId: string): Promise<void> {
  while ((await writer.step(roundId)).read > 0);
  expect(await writer.lag(roundId)).toBe(0);
}

/** Purchases in the round's bucket streams. */
async function streamLength(roundId: string): Promise<number> {
  const lengths = await Promise.all(Array.from({ length: gate.buckets }, (_, i) => gate.redis.xlen(streamKey(roundId, i))));
  return lengths.reduce((s, n) => s + n, 0);
}

async function lotsOf(roundId: string): Promise<{ buyer_id: string; face: number }[]> {
  return (await sql<{ buyer_id: string; face: number }>`select buyer_id, face from lots where round_id = ${roundId}`.execute(h.sdb.db)).rows;
}

beforeAll(async () => {
  redis = await startTestRedis();
  h = await ServerHarness.start();
  staff = await h.staff();
  gate = await SaleGate.connect(redis.url, 2);
  writer = new SaleLedgerWriter(h.sdb.db, connection(), 'test-writer', 50);
  sale = Fastify({ logger: false });
  stopTicker = registerSaleRoutes(sale, { db: h.sdb.db, gate, payment: new PaymentStandIn(), secret, admitEveryMs: 20 }).stop;
  await sale.listen({ port: 0, host: '127.0.0.1' });
  saleUrl = `http://127.0.0.1:${(sale.server.address() as { port: number }).port}`;
  buyer = new SaleBuyer(saleUrl);
});

afterAll(async () => {
  stopTicker?.();
  await sale?.close();
  for (const c of extra) c.disconnect();
  await gate?.close();
  await h?.close();
  await redis?.stop();
});

describe('sale service on Redis + PostgreSQL', () => {
  it('sells exactly the stock to 300 concurrent buyers of 100 units, and Redis equals PostgreSQL', async () => {
    await openSale('r-rush', { totalAmount: 1_000_000 });
    const tickets = await Promise.all(Array.from({ length: 300 }, (_, i) => join('r-rush', `rush-${i}`)));
    await Promise.all(tickets.map((t) => admitted('r-rush', t)));
    const answers = await Promise.all(tickets.map((t) => buy('r-rush', t, 10_000)));
    const codes = answers.map((a) => a.status);
    expect(codes.filter((c) => c === 200)).toHaveLength(100);
    expect(codes.filter((c) => c === 410)).toHaveLength(200);
    expect(answers.find((a) => a.status === 410)!.body.error!.key).toBe('sale.soldOut');
    await drain('r-rush');
    const lots = await lotsOf('r-rush');
    expect(lots).toHaveLength(100);
    expect(lots.reduce((s, l) => s + Number(l.face), 0)).toBe(1_000_000);
    const check = await checkSale(h.sdb.db, gate, 'r-rush');
    expect(check).toMatchObject({ ok: true, stock: 1_000_000, soldRedis: 1_000_000, left: 0, soldLog: 1_000_000 });
    // Everyone still holding a ticket is told at once.
    const unlucky = tickets[answers.findIndex((a) => a.status === 410)]!;
    expect((await status('r-rush', unlucky)).body.error?.key).toBe('sale.soldOut');
  });

  it('holds the monthly limit, and the holding limit across rounds from the log', async () => {
    await openSale('r-limits', { totalAmount: 10_000_000 });
    const over = await join('r-limits', 'lim-month');
    await admitted('r-limits', over);
    const refused = await buy('r-limits', over, 410_000);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ key: 'sale.monthlyLimit', message: '1인 월 구매 한도를 넘습니다' });

    // Holds 900,000 won from earlier months in the city scope: 200,000 more would pass the monthly limit but break the holding limit.
    await h.sdb.db.transaction().execute((trx) =>
      insertLots(trx, [{
        lot: { lotId: 'old-lot', roundId: 'r-limits', buyerId: 'lim-hold', holderId: 'lim-hold', districtCode: '11110', paymentMethod: 'bank_transfer', face: 900_000, paid: 837_000, discountBp: 700, purchasedAt: '2026-01-05T01:00:00.000Z', expiresAt: '2031-01-05T01:00:00.000Z', used: 0, refunded: 0, status: 'active', gifted: false },
        scope: 'city', month: '2026-01',
      }]),
    );
    const holder = await join('r-limits', 'lim-hold');
    await admitted('r-limits', holder);
    const held = await buy('r-limits', holder, 200_000);
    expect(held.status).toBe(422);
    expect(held.body.error!.key).toBe('sale.holdingLimit');
    // Within both limits the same buyer may buy.
    expect((await buy('r-limits', holder, 100_000)).status).toBe(200);
    await drain('r-limits');
    expect((await lotsOf('r-limits')).filter((l) => l.buyer_id === 'lim-month')).toHaveLength(0);
    expect((await checkSale(h.sdb.db, gate, 'r-limits')).ok).toBe(true);
  });

  it('refuses forged, expired and replayed tickets, a wrong denomination, and buying before admission; nothing is recorded', async () => {
    await openSale('r-bad', { waitingRoom: { admissionPerMinute: 600_000, maxActiveSessions: 1, order: 'fifo' } });
    const first = await join('r-bad', 'bad-1');
    await admitted('r-bad', first);
    const second = await join('r-bad', 'bad-2');
    // Only one session may be active: the second waits, and may not buy.
    const early = await buy('r-bad', second, 10_000);
    expect(early.status).toBe(403);
    expect(early.body.error!.key).toBe('sale.notAdmitted');

    const [body, mac] = first.split('.');
    const forgedBody = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), buyerId: 'bad-2' })).toString('base64url');
    const forged = await buy('r-bad', `${forgedBody}.${mac}`, 10_000);
    expect(forged.status).toBe(401);
    expect(forged.body.error!.key).toBe('sale.ticketForged');

    const payload = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
    const expired = await buy('r-bad', sign(secret, { ...(payload as unknown as Ticket), exp: Date.now() - 1 }), 10_000);
    expect(expired.body.error!.key).toBe('sale.ticketExpired');
    // A ticket signed for this buyer earlier (another ticket id): a replay, not the ticket the gate holds.
    const replayed = await buy('r-bad', sign(secret, { ...(payload as unknown as Ticket), ticketId: 'an-old-ticket' }), 10_000);
    expect(replayed.status).toBe(409);
    expect(replayed.body.error!.key).toBe('sale.ticketReplayed');
    // A ticket of another round.
    const elsewhere = await buy('r-rush', first, 10_000);
    expect(elsewhere.body.error!.key).toBe('sale.ticketReplayed');

    const odd = await buy('r-bad', first, 15_000);
    expect(odd.status).toBe(422);
    expect(odd.body.error).toMatchObject({ key: 'sale.denomination', message: '구매 금액이 권종 단위에 맞지 않습니다' });

    expect(await streamLength('r-bad')).toBe(0);
    await drain('r-bad');
    expect(await lotsOf('r-bad')).toHaveLength(0);
  });

  it('a double submit with one idempotency key buys once; another key on a spent ticket is refused', async () => {
    await openSale('r-double');
    const t = await join('r-double', 'twice');
    await admitted('r-double', t);
    const [a, b] = await Promise.all([buy('r-double', t, 50_000, 'same-key-123'), buy('r-double', t, 50_000, 'same-key-123')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.eventId).toBe(b.body.eventId);
    const again = await buy('r-double', t, 50_000, 'same-key-123');
    expect(again.body).toMatchObject({ eventId: a.body.eventId, duplicate: true });
    const other = await buy('r-double', t, 10_000, 'other-key-456');
    expect(other.status).toBe(409);
    expect(other.body.error!.key).toBe('sale.ticketSpent');
    await drain('r-double');
    expect(await lotsOf('r-double')).toEqual([{ buyer_id: 'twice', face: 50_000 }]);
  });

  it('after closesAt, buyers are refused and told the sale has ended', async () => {
    await openSale('r-close', { closesAt: new Date(Date.now() + 2_500).toISOString() });
    const t = await join('r-close', 'late');
    await admitted('r-close', t);
    await new Promise((r) => setTimeout(r, 2_600));
    const late = await buy('r-close', t, 10_000);
    expect(late.status).toBe(410);
    expect(late.body.error).toMatchObject({ key: 'sale.closed', message: '판매가 끝났습니다' });
    expect((await status('r-close', t)).body.error!.key).toBe('sale.closed');
    expect(await streamLength('r-close')).toBe(0);
  });

  it('a batch redelivered after a crash between commit and XACK writes nothing twice', async () => {
    await openSale('r-redeliver');
    const tickets = await Promise.all(Array.from({ length: 20 }, (_, i) => join('r-redeliver', `re-${i}`)));
    for (const t of tickets) await admitted('r-redeliver', t);
    for (const t of tickets) expect((await buy('r-redeliver', t, 10_000)).status).toBe(200);
    const crashing = new SaleLedgerWriter(h.sdb.db, connection(), 'crashing', 1_000);
    const ack = crashing['redis'].xack.bind(crashing['redis']);
    crashing['redis'].xack = (() => Promise.reject(new Error('process killed before XACK'))) as never;
    await expect(crashing.step('r-redeliver')).rejects.toThrow('before XACK');
    expect(await lotsOf('r-redeliver')).toHaveLength(20);
    crashing['redis'].xack = ack as never;
    // Restarted, it is given its pending batch again: already in the log, so nothing is written, and it is acknowledged.
    expect(await crashing.step('r-redeliver')).toEqual({ read: 20, written: 0 });
    expect(await crashing.lag('r-redeliver')).toBe(0);
    expect(await lotsOf('r-redeliver')).toHaveLength(20);
    expect((await checkSale(h.sdb.db, gate, 'r-redeliver')).ok).toBe(true);
  });

  it('a writer killed between reading a batch and committing it: another writer takes the batch over once it has idled', async () => {
    await openSale('r-claim');
    const tickets = await Promise.all(Array.from({ length: 5 }, (_, i) => join('r-claim', `claim-${i}`)));
    for (const t of tickets) await admitted('r-claim', t);
    for (const t of tickets) expect((await buy('r-claim', t, 10_000)).status).toBe(200);
    const dead = new SaleLedgerWriter(h.sdb.db, connection(), 'dead', 100);
    dead['write'] = (() => Promise.reject(new Error('killed before commit'))) as never;
    await expect(dead.step('r-claim')).rejects.toThrow('before commit');
    const alive = new SaleLedgerWriter(h.sdb.db, connection(), 'alive', 100, 300);
    // Not yet idle long enough: the other writer may still be committing it.
    expect(await alive.step('r-claim')).toEqual({ read: 0, written: 0 });
    await new Promise((r) => setTimeout(r, 350));
    expect(await alive.step('r-claim')).toEqual({ read: 5, written: 5 });
    expect(await alive.lag('r-claim')).toBe(0);
    expect(await lotsOf('r-claim')).toHaveLength(5);
    expect((await checkSale(h.sdb.db, gate, 'r-claim')).ok).toBe(true);
  });
});

describe('queue orders the round names', () => {
  it('stock cut-off: at opening, everyone beyond what the stock can serve is told at once; later arrivals too', async () => {
    // 10 units of 10,000 won, a 5-unit limit; the simulator's default assumption that 80% buy the limit and the rest half of it
    // makes an average purchase 0.8 × 5 + 0.2 × 2.5 = 4.5 units. Margin 0, one session active: ceil(10 / 4.5 − 1) = 2 places to wait in.
    // The five must join before the opening (a join after it meets the cut-off itself): 1.5 s was once too short for
    // opening the round and five joins on a loaded machine (load 11), so 4 s.
    const opensAt = Date.now() + 4_000;
    const spec = saleSpec({
      totalAmount: 100_000, perPersonMonthlyLimit: 50_000, opensAt: new Date(opensAt).toISOString(),
      waitingRoom: { admissionPerMinute: 600_000, maxActiveSessions: 1, order: 'fifo', stockCutoff: true, cutoffMargin: 0 },
    });
    await h.openRound('r-cut', spec, staff.official, staff.official2, new Date(opensAt + 1));
    h.clock = null;
    const tickets: string[] = [];
    for (let i = 0; i < 5; i++) tickets.push(await join('r-cut', `cut-${i}`));
    expect(Date.now(), 'the five joined before the opening').toBeLessThan(opensAt);
    await admitted('r-cut', tickets[0]!);
    expect((await status('r-cut', tickets[1]!)).body).toMatchObject({ status: 'waiting', position: 1 });
    expect((await status('r-cut', tickets[2]!)).body).toMatchObject({ status: 'waiting', position: 2 });
    for (const t of tickets.slice(3)) {
      const s = await status('r-cut', t);
      expect(s.status).toBe(410);
      expect(s.body.error).toEqual({ key: 'sale.cutOff', message: '남은 상품권이 앞에서 기다리는 분들 몫으로 모두 돌아가 이번 회차에서는 구매할 수 없습니다' });
    }
    const id = await buyer.call('POST', '/sale/identity', { buyerId: 'cut-late', districtCode: '11110', birthYear: 1990 });
    const late = await buyer.call('POST', '/sale/rounds/r-cut/join', { identity: id.body.identity });
    expect([late.status, late.body.error?.key]).toEqual([410, 'sale.cutOff']);
    expect((await gate.counters('r-cut')).cut).toBe(3);
  });

  it('birth-year windows: a buyer whose slot has not opened is refused with the time it opens (Seoul)', async () => {
    const spec = await openSale('r-birth', { waitingRoom: { admissionPerMinute: 600_000, maxActiveSessions: 100, order: 'birth_year', slots: [{ share: 0.5, startMinute: 0 }, { share: 0.5, startMinute: 60 }] } });
    // Digits 0–4 open at the opening, 5–9 an hour later.
    const early = await buyer.join('r-birth', 'born-1980', 1980);
    await admitted('r-birth', early);
    const id = await buyer.call('POST', '/sale/identity', { buyerId: 'born-1985', districtCode: '11110', birthYear: 1985 });
    const refused = await buyer.call('POST', '/sale/rounds/r-birth/join', { identity: id.body.identity });
    expect(refused.status).toBe(403);
    const opens = formatSeoul(new Date(Date.parse(spec.opensAt) + 3_600_000).toISOString(), 'ko');
    expect(refused.body.error).toEqual({ key: 'sale.birthYearWindow', message: `출생 연도에 따른 참여 시간이 아닙니다. ${opens}부터 참여할 수 있습니다`, params: { detail: opens } });
  });
});

describe('buyer page', () => {
  it('is served in Korean with its typeface', async () => {
    const page = await fetch(`${saleUrl}/sale`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('대기열 참여');
    const font = await fetch(`${saleUrl}/sale/font.woff2`);
    expect([font.status, font.headers.get('content-type')]).toEqual([200, 'font/woff2']);
  });
});

describe('wait band', () => {
  it('reads p25–p75 from the measured admissions, and says nothing it has not measured', () => {
    // 100 people ahead (position 99); 10 or 20 admitted per 10 s: 50 s at the fast quartile, 100 s at the slow one.
    expect(waitBand(99, [20, 10, 20, 10])).toEqual({ p25Seconds: 50, p75Seconds: 100 });
    expect(waitBand(99, [0, 0, 0, 10])).toEqual({ p25Seconds: 100, p75Seconds: null });
    expect(waitBand(99, [0, 0, 0])).toBeNull();
  });
});
