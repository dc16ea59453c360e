import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSale } from '../../server/sale/check.js';
import { SaleGate } from '../../server/sale/gate.js';
import { SaleLedgerWriter } from '../../server/sale/ledger-writer.js';
import { PaymentStandIn } from '../../server/sale/payment-stand-in.js';
import type { PrivateRedis } from '../../server/sale/private-redis.js';
import { registerSaleRoutes } from '../../server/sale/routes.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import type { SaleChange } from '../../shared/rounds/steering.js';
import { startTestRedis } from '../support/redis.js';
import { Harness } from '../support/backend-harness.js';
import { liveSaleSpec, SaleBuyer } from '../support/sale-buyer.js';
import { ServerHarness, type Staff } from '../support/server-harness.js';

/**
 * Steering a live sale (issue 19, item 4): commands sent as hand-made HTTP
 * requests to the server, their effect observed through two sale processes
 * sharing one Redis, each re-reading the round once a second.
 */

const secret = Buffer.alloc(32, 9);
let redis: PrivateRedis;
let h: ServerHarness;
let staff: Staff;
let clerk: string;
let analyst: string;
/** Two sale processes: each its own Fastify, gate connection and tickers, one Redis. */
const processes: { app: FastifyInstance; gate: SaleGate; stop: () => void; buyer: SaleBuyer }[] = [];
let writer: SaleLedgerWriter;

async function saleProcess() {
  const gate = await SaleGate.connect(redis.url, 2);
  const app = Fastify({ logger: false });
  const { stop } = registerSaleRoutes(app, { db: h.sdb.db, gate, payment: new PaymentStandIn(), secret, admitEveryMs: 50 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const p = { app, gate, stop, buyer: new SaleBuyer(`http://127.0.0.1:${(app.server.address() as { port: number }).port}`) };
  processes.push(p);
  return p;
}

async function openSale(roundId: string, patch: Partial<RoundSpec> = {}): Promise<void> {
  const spec = liveSaleSpec({ waitingRoom: { admissionPerMinute: 60_000, maxActiveSessions: 100, order: 'fifo' }, ...patch });
  await h.openRound(roundId, spec, staff.official, staff.official2, new Date());
  h.clock = null;
  // Both processes serve the round from now on (and so re-read it every second).
  for (const p of processes) expect((await p.buyer.call('GET', `/sale/rounds/${roundId}`)).status).toBe(200);
}

const steer = (roundId: string, change: SaleChange, token: string) => h.command({ type: 'steer_sale', roundId, change }, token);
const approve = (roundId: string, proposalId: string, token: string) => h.command({ type: 'approve_sale_change', roundId, proposalId }, token);

/** Proposed by kim, approved by lee: the proposal's id is the proposing command's. */
async function twoOfficials(roundId: string, change: SaleChange): Promise<number> {
  const commandId = `prop-${Math.random().toString(36).slice(2, 10)}`;
  const proposed = await h.post('/api/commands', { type: 'steer_sale', commandId, sentAt: new Date().toISOString(), roundId, change }, staff.official);
  expect(proposed.body).toMatchObject({ status: 'accepted', seq: null });
  const approved = (await approve(roundId, commandId, staff.official2)).result;
  expect(approved).toMatchObject({ status: 'accepted' });
  return approved.seq!;
}

/** Waits until `check` holds, at most `ms` after the call; returns how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`not in effect within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - start;
}

const cfg = async (roundId: string, field: string) => (await processes[0]!.gate.settings(roundId))[field];

beforeAll(async () => {
  redis = await startTestRedis();
  h = await ServerHarness.start();
  staff = await h.staff();
  clerk = await h.user('park', 'clerk', '11110');
  analyst = await h.user('choi', 'analyst');
  await saleProcess();
  await saleProcess();
  writer = new SaleLedgerWriter(h.sdb.db, processes[0]!.gate.duplicate(), 'steering-writer', 100);
});

afterAll(async () => {
  for (const p of processes) {
    p.stop();
    await p.app.close();
  }
  writer?.['redis'].disconnect();
  for (const p of processes) await p.gate.close();
  await h?.close();
  await redis?.stop();
});

describe('steering a live sale', () => {
  it('one official pauses admission on every process within 2 s, the queue kept in order; resuming admits it', async () => {
    const [a, b] = processes as [(typeof processes)[0], (typeof processes)[0]];
    await openSale('st-pause');
    const paused = (await steer('st-pause', { kind: 'pause' }, staff.official)).result;
    expect(paused).toMatchObject({ status: 'accepted' });
    expect(paused.seq).not.toBeNull();
    await within(2_000, async () => (await cfg('st-pause', 'paused')) === '1');
    const first = await a.buyer.join('st-pause', 'p-1');
    const second = await b.buyer.join('st-pause', 'p-2');
    await new Promise((r) => setTimeout(r, 600));
    // Neither process admits anyone: the queue holds both, first come first.
    expect((await b.buyer.status('st-pause', first)).body).toMatchObject({ status: 'waiting', position: 1 });
    expect((await a.buyer.status('st-pause', second)).body).toMatchObject({ status: 'waiting', position: 2 });
    expect((await a.buyer.buy('st-pause', first, 10_000)).body.error!.key).toBe('sale.notAdmitted');
    expect((await steer('st-pause', { kind: 'pause' }, staff.official2)).result.reason).toEqual({ key: 'saleSteer.alreadyPaused' });

    expect((await steer('st-pause', { kind: 'resume' }, staff.official2)).result).toMatchObject({ status: 'accepted' });
    await within(2_000, async () => (await a.buyer.status('st-pause', first)).body.status === 'admitted' && (await b.buyer.status('st-pause', second)).body.status === 'admitted');
    // The log holds both changes, by whom, in the server's own records.
    const events = await sql<{ payload: string; recorded_by: string }>`select payload, recorded_by from events where type = 'sale_steered' and round_id = 'st-pause' order by seq`.execute(h.sdb.db);
    expect(events.rows.map((e) => [JSON.parse(e.payload).change.kind, JSON.parse(e.payload).by, e.recorded_by])).toEqual([['pause', 'kim', 'kim'], ['resume', 'lee', 'lee']]);
  });

  it('within the envelope one official suffices; beyond it the change waits for a second official, never the proposer', async () => {
    await openSale('st-room', { sessionTimeoutMinutes: 10, waitingRoom: { admissionPerMinute: 60_000, maxActiveSessions: 100, order: 'fifo' } });
    const down = (await steer('st-room', { kind: 'settings', admissionPerMinute: 600, maxActiveSessions: 5, sessionTimeoutMinutes: 3 }, staff.official)).result;
    expect(down).toMatchObject({ status: 'accepted' });
    expect(down.seq).not.toBeNull();
    await within(2_000, async () => (await cfg('st-room', 'maxActive')) === '5');
    expect(await processes[1]!.gate.settings('st-room')).toMatchObject({ perMinute: '600', maxActive: '5', timeoutMs: String(3 * 60_000) });

    // 150 active is above the 100 approved: kept as a proposal, not in effect.
    const commandId = 'beyond-envelope-1';
    const beyond = await h.post('/api/commands', { type: 'steer_sale', commandId, sentAt: new Date().toISOString(), roundId: 'st-room', change: { kind: 'settings', admissionPerMinute: 600, maxActiveSessions: 150, sessionTimeoutMinutes: 3 } }, staff.official);
    expect(beyond.body).toMatchObject({ status: 'accepted', seq: null });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await cfg('st-room', 'maxActive')).toBe('5');
    expect((await approve('st-room', commandId, staff.official)).result).toMatchObject({ status: 'rejected', reason: { key: 'saleSteer.selfApproval' } });
    expect((await approve('st-room', 'no-such-proposal', staff.official2)).result.reason).toEqual({ key: 'saleSteer.noSuchProposal', params: { proposalId: 'no-such-proposal' } });
    const approved = (await approve('st-room', commandId, staff.official2)).result;
    expect(approved).toMatchObject({ status: 'accepted' });
    const ms = await within(2_000, async () => (await cfg('st-room', 'maxActive')) === '150');
    expect(ms).toBeLessThanOrEqual(2_000);
    expect((await approve('st-room', commandId, staff.admin)).result.reason).toEqual({ key: 'saleSteer.alreadyApplied', params: { proposalId: commandId } });
    const last = await sql<{ payload: string }>`select payload from events where type = 'sale_steered' and round_id = 'st-room' order by seq desc limit 1`.execute(h.sdb.db);
    expect(JSON.parse(last.rows[0]!.payload)).toMatchObject({ by: 'lee', proposedBy: 'kim', proposalId: commandId, controls: { revision: 2, settings: { maxActiveSessions: 150 } } });
  });

  it('clerks and analysts cannot steer; bad changes are refused before anything is recorded', async () => {
    await openSale('st-roles');
    expect((await steer('st-roles', { kind: 'pause' }, clerk)).result.reason).toEqual({ key: 'sync.roleNotAllowed' });
    expect((await steer('st-roles', { kind: 'stop' }, analyst)).result.reason).toEqual({ key: 'sync.roleNotAllowed' });
    const odd = await h.post('/api/commands', { type: 'steer_sale', commandId: 'odd-stock-1', sentAt: new Date().toISOString(), roundId: 'st-roles', change: { kind: 'add_stock', amount: 15_000 } }, staff.official);
    expect(odd.status).toBe(400);
    expect(JSON.stringify(odd.body)).toContain('change.amount');
    const zero = await h.post('/api/commands', { type: 'steer_sale', commandId: 'zero-rate-1', sentAt: new Date().toISOString(), roundId: 'st-roles', change: { kind: 'settings', admissionPerMinute: 0, maxActiveSessions: 5, sessionTimeoutMinutes: 3 } }, staff.official);
    expect(zero.status).toBe(400);
    expect((await steer('nowhere', { kind: 'pause' }, staff.official)).result.reason).toEqual({ key: 'saleSteer.notOnSale', params: { roundId: 'nowhere' } });
    const n = await sql<{ n: number }>`select count(*)::int as n from events where type = 'sale_steered' and round_id in ('st-roles', 'nowhere')`.execute(h.sdb.db);
    expect(n.rows[0]!.n).toBe(0);
    expect(await sql`select * from sale_change_proposals where round_id = 'st-roles'`.execute(h.sdb.db).then((r) => r.rows)).toEqual([]);
  });

  it('stock added by two officials is sold, and no more; the log takes it and equals Redis', async () => {
    const [a, b] = processes as [(typeof processes)[0], (typeof processes)[0]];
    await openSale('st-stock', { totalAmount: 100_000, perPersonMonthlyLimit: 50_000 });
    const tickets = await Promise.all(Array.from({ length: 13 }, (_, i) => (i % 2 ? a : b).buyer.join('st-stock', `s-${i}`)));
    for (const t of tickets) await a.buyer.admitted('st-stock', t);
    for (const t of tickets.slice(0, 10)) expect((await b.buyer.buy('st-stock', t, 10_000)).status).toBe(200);
    expect((await a.buyer.buy('st-stock', tickets[10]!, 10_000)).body.error!.key).toBe('sale.soldOut');
    await twoOfficials('st-stock', { kind: 'add_stock', amount: 20_000 });
    await within(2_000, async () => (await cfg('st-stock', 'added')) === '20000');
    expect((await a.buyer.buy('st-stock', tickets[10]!, 10_000)).status).toBe(200);
    expect((await b.buyer.buy('st-stock', tickets[11]!, 10_000)).status).toBe(200);
    expect((await a.buyer.buy('st-stock', tickets[12]!, 10_000)).body.error!.key).toBe('sale.soldOut');
    while ((await writer.step('st-stock')).read > 0);
    const lots = await sql<{ n: number; face: number }>`select count(*)::int as n, sum(face)::int as face from lots where round_id = 'st-stock'`.execute(h.sdb.db);
    expect(lots.rows[0]).toEqual({ n: 12, face: 120_000 });
    expect(await checkSale(h.sdb.db, a.gate, 'st-stock')).toMatchObject({ ok: true, stock: 120_000, soldRedis: 120_000, left: 0, soldLog: 120_000 });
  });

  it('stopping takes two officials; then everyone waiting or admitted, on every process, is told at once', async () => {
    const [a, b] = processes as [(typeof processes)[0], (typeof processes)[0]];
    await openSale('st-stop', { waitingRoom: { admissionPerMinute: 60_000, maxActiveSessions: 1, order: 'fifo' } });
    const active = await a.buyer.join('st-stop', 'stop-1');
    await a.buyer.admitted('st-stop', active);
    const waiting = await b.buyer.join('st-stop', 'stop-2');
    expect((await b.buyer.status('st-stop', waiting)).body.status).toBe('waiting');
    const commandId = 'stop-proposal-1';
    await h.post('/api/commands', { type: 'steer_sale', commandId, sentAt: new Date().toISOString(), roundId: 'st-stop', change: { kind: 'stop' } }, staff.official);
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await a.buyer.status('st-stop', active)).body.status).toBe('admitted');
    expect((await approve('st-stop', commandId, staff.official2)).result.status).toBe('accepted');
    await within(2_000, async () => (await b.buyer.status('st-stop', active)).body.error?.key === 'sale.stopped' && (await a.buyer.status('st-stop', waiting)).body.error?.key === 'sale.stopped');
    const late = await a.buyer.buy('st-stop', active, 10_000);
    expect(late.status).toBe(410);
    expect(late.body.error).toEqual({ key: 'sale.stopped', message: '판매가 중지되었습니다' });
    expect((await steer('st-stop', { kind: 'resume' }, staff.official)).result.reason).toEqual({ key: 'saleSteer.stopped' });
  });

  it('a console syncs every steering event and the purchases made on added stock, and agrees with the server', async () => {
    const c = await Harness.start();
    try {
      const admin = await c.admin();
      await c.call('sync.connect', { serverUrl: h.url, username: 'admin', password: 'admin-password-1' }, admin);
      const job = await c.sync(admin);
      expect(job.state, JSON.stringify(job.error ?? job)).toBe('done');
      const head = (await h.get('/api/head', staff.admin)).body as { seq: number; hash: string };
      expect(await c.call('sync.status', {}, admin)).toMatchObject({ lastSeq: head.seq, chainStatus: 'ok' });
      const steering = await c.backend.deps.db.selectFrom('sale_steering_events').select(['round_id', 'kind', 'added_stock', 'by', 'proposed_by']).where('round_id', '=', 'st-stock').execute();
      expect(steering).toEqual([{ round_id: 'st-stock', kind: 'add_stock', added_stock: 20_000, by: 'lee', proposed_by: 'kim' }]);
      // 120,000 won sold in a round approved for 100,000: accepted because of the added stock, as on the server.
      const totals = await c.call('ledger.totals', { roundId: 'st-stock' }, admin);
      expect(totals.local).toEqual(totals.server);
      expect(totals.local.faceSold).toBe(120_000);
    } finally {
      await c.close();
    }
  });
});
