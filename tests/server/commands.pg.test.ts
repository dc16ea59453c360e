import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalEvent, chainHash, LOG_GENESIS, specDigest } from '../../shared/node/chain/log-hash.js';
import { translate } from '../../shared/i18n/index.js';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

let s: ServerHarness;
let admin: string;
let official: string;
let official2: string;
let mapoClerk: string;
let gangnamClerk: string;
const roundId = 'round-2022';
const spec = spec2022({ paymentMethods: ['bank_transfer', 'debit_card'] });
/** An hour into the sale: the server's clock for most tests. */
const duringSale = new Date(Date.parse(spec.opensAt) + 3_600_000);

beforeAll(async () => {
  s = await ServerHarness.start();
  const staff = await s.staff();
  ({ admin, official, official2 } = staff);
  mapoClerk = await s.user('mapo', 'clerk', '11440');
  gangnamClerk = await s.user('gangnam', 'clerk', '11680');
  await s.openSale(roundId, spec, staff, duringSale, { purchases: 500, seed: 7, usesShare: 0.5 });
});
afterAll(() => s.close());

async function lotsIn(district: string, predicate: (used: number) => boolean, round = roundId): Promise<{ lot_id: string; paid: number; face: number; used: number; purchased_at: string }[]> {
  const rows = await s.sdb.db
    .selectFrom('lots')
    .select(['lot_id', 'paid', 'face', 'used', 'purchased_at'])
    .where('round_id', '=', round)
    .where('district_code', '=', district)
    .where('status', '=', 'active')
    .execute();
  return rows.map((r) => ({ lot_id: r.lot_id, paid: Number(r.paid), face: Number(r.face), used: Number(r.used), purchased_at: r.purchased_at })).filter((r) => predicate(r.used));
}

const cancel = (lot: { lot_id: string; paid: number }, commandId: string = randomUUID(), round = roundId) => ({
  type: 'approve_refund',
  commandId,
  roundId: round,
  lotId: lot.lot_id,
  kind: 'cancel',
  amount: lot.paid,
  requestedAt: s.now().toISOString(),
});

async function eventCount(): Promise<number> {
  return Number((await s.sdb.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
}

async function eventAt(seq: number) {
  const row = await s.sdb.db.selectFrom('events').select(['payload', 'recorded_by', 'event_id']).where('seq', '=', String(seq)).executeTakeFirstOrThrow();
  return { ...row, payload: JSON.parse(row.payload) as Record<string, unknown> };
}

describe('central server commands', () => {
  it('requires a token, and answers with the same roles as the console', async () => {
    expect((await s.get('/api/head')).status).toBe(401);
    expect((await s.get('/api/head', 'forged')).status).toBe(401);
    expect((await s.post('/api/feed/sale', { roundId, purchases: 1 }, official)).status).toBe(403);
    expect((await s.post('/api/users', { username: 'x1x', displayName: 'x', password: 'long-password', role: 'analyst', districtCode: null }, official)).status).toBe(403);
    const analyst = await s.user('ana', 'analyst');
    const r = (await s.command(cancel((await lotsIn('11440', (u) => u === 0))[0]!), analyst)).result;
    expect(r).toMatchObject({ status: 'rejected', reason: { key: 'sync.roleNotAllowed' } });
    const clerkProposal = (await s.command({ type: 'propose_round', roundId: 'r-clerk', version: 1, spec }, mapoClerk)).result;
    expect(clerkProposal).toMatchObject({ status: 'rejected', reason: { key: 'sync.roleNotAllowed' } });
  });

  it('applies a replayed command once and answers the replay the same, even sent at another time', async () => {
    const [lot] = await lotsIn('11440', (u) => u === 0);
    const cmd = cancel(lot!);
    const before = await eventCount();
    const first = (await s.command(cmd, mapoClerk)).result;
    const again = (await s.command({ ...cmd, sentAt: new Date(s.now().getTime() + 60_000).toISOString() }, mapoClerk)).result;
    expect(first).toMatchObject({ status: 'accepted' });
    expect(again).toEqual(first);
    expect(await eventCount()).toBe(before + 1);
    const row = await s.sdb.db.selectFrom('lots').select(['status', 'refunded']).where('lot_id', '=', lot!.lot_id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'cancelled', refunded: lot!.paid });
    // The same id for a different command is refused outright.
    expect((await s.command({ ...cmd, amount: cmd.amount - 10 }, mapoClerk)).status).toBe(409);
  });

  it('records the user whose token sent the command: events name them, and cancel/refund events carry `by`', async () => {
    const [lot] = await lotsIn('11440', (u) => u === 0);
    const r = (await s.command(cancel(lot!), mapoClerk)).result;
    expect(r.status).toBe('accepted');
    const e = await eventAt(r.seq!);
    expect(e.recorded_by).toBe('mapo');
    expect(e.payload).toMatchObject({ type: 'cancel', by: 'mapo', lotId: lot!.lot_id });
    // The server makes event ids; the command id never becomes one.
    expect(e.event_id).not.toBe(r.commandId);
    const published = await s.sdb.db.selectFrom('events').select(['payload', 'recorded_by']).where('type', '=', 'round_published').where('round_id', '=', roundId).executeTakeFirstOrThrow();
    expect(published.recorded_by).toBe('lee');
    expect(JSON.parse(published.payload)).toMatchObject({ proposedBy: 'kim', approvedBy: 'lee', publishedBy: 'lee' });
    const opened = await s.sdb.db.selectFrom('events').select('payload').where('type', '=', 'round_status').where('round_id', '=', roundId).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(opened.payload)).toMatchObject({ status: 'on_sale', by: 'lee', version: 1 });
  });

  it('accepts exactly one of two consoles approving the same refund at once', async () => {
    const [lot] = await lotsIn('11440', (u) => u === 0);
    const [a, b] = await Promise.all([s.command(cancel(lot!), mapoClerk), s.command(cancel(lot!), official)]);
    const results = [a.result, b.result];
    expect(results.map((r) => r.status).sort()).toEqual(['accepted', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')!.reason).toMatchObject({ key: 'ledger.lotClosed' });
    const refunds = await s.sdb.db.selectFrom('events').select('seq').where('lot_id', '=', lot!.lot_id).where('type', '=', 'cancel').execute();
    expect(refunds).toHaveLength(1);
  });

  it("refuses a clerk acting on another district's lot with their own token, with the reason", async () => {
    const [lot] = await lotsIn('11440', (u) => u === 0);
    const before = await eventCount();
    const r = (await s.command(cancel(lot!), gangnamClerk)).result;
    expect(r).toMatchObject({ status: 'rejected', reason: { key: 'sync.otherDistrict', params: { district: '11440' } }, seq: null });
    expect(await eventCount()).toBe(before);
  });

  it('checks refunds against the rules: amount, threshold and cash-only', async () => {
    const [used] = await lotsIn('11440', (u) => u > 0);
    const cancelUsed = (await s.command(cancel(used!), mapoClerk)).result;
    expect(cancelUsed.status).toBe('rejected');
    expect(['ledger.refundKind', 'ledger.belowThreshold', 'ledger.cashOnly', 'ledger.zeroPayout']).toContain(cancelUsed.reason!.key);
    const [fresh] = await lotsIn('11440', (u) => u === 0);
    const tooMuch = (await s.command({ ...cancel(fresh!), amount: fresh!.paid + 10_000 }, mapoClerk)).result;
    expect(tooMuch).toMatchObject({ status: 'rejected', reason: { key: 'ledger.refundAmount' } });
  });

  it('refuses malformed commands with a message naming the field', async () => {
    const r = await s.post('/api/commands', { type: 'approve_refund', commandId: 'x', sentAt: 'now', requestedAt: 'yesterday', roundId, lotId: 'l', kind: 'cancel', amount: -5 }, mapoClerk);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(/amount/);
    expect(JSON.stringify(r.body)).toMatch(/requestedAt/);
    expect(JSON.stringify(r.body)).toMatch(/sentAt/);
    // The old shape, a spec sent with the publication, is not a command any more.
    const old = await s.post('/api/commands', { type: 'publish_round', commandId: randomUUID(), sentAt: s.now().toISOString(), roundId: 'r-old', version: 1, spec }, official);
    expect(old.status).toBe(400);
  });

  it('refuses a sales feed into an unpublished round or with bad parameters, writing nothing', async () => {
    const before = await eventCount();
    const unpublished = await s.post('/api/feed/sale', { roundId: 'no-such-round', purchases: 10 }, admin);
    expect(unpublished).toMatchObject({ status: 404, body: { error: { key: 'sync.roundNotPublished', params: { roundId: 'no-such-round' } } } });
    const bad = await s.post('/api/feed/sale', { roundId, purchases: 0, usesShare: 2 }, admin);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/purchases/);
    expect(JSON.stringify(bad.body)).toMatch(/usesShare/);
    expect(await eventCount()).toBe(before);
  });

  it('stamps fed purchases between the opening and the server’s now', async () => {
    const rows = await s.sdb.db.selectFrom('lots').select('purchased_at').where('round_id', '=', roundId).execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(Date.parse(r.purchased_at)).toBeGreaterThanOrEqual(Date.parse(spec.opensAt));
      expect(Date.parse(r.purchased_at)).toBeLessThan(duringSale.getTime());
    }
  });
});

describe('two people and the on-sale lock, on the server', () => {
  it('keeps a proposal apart from the record until another official publishes it', async () => {
    const id = 'round-two-people';
    const before = await eventCount();
    expect((await s.command({ type: 'propose_round', roundId: id, version: 1, spec }, official)).result).toMatchObject({ status: 'accepted', seq: null });
    expect(await eventCount()).toBe(before);
    expect(await s.sdb.db.selectFrom('round_proposals').select(['version']).where('round_id', '=', id).execute()).toEqual([{ version: 1 }]);
    // The author cannot approve their own version, with their own token, whatever their console says.
    const own = (await s.command({ type: 'publish_round', roundId: id, version: 1, specDigest: specDigest(spec) }, official)).result;
    expect(own).toMatchObject({ status: 'rejected', reason: { key: 'lifecycle.selfApproval' } });
    // No proposal, no publication.
    const none = (await s.command({ type: 'publish_round', roundId: id, version: 2, specDigest: specDigest(spec) }, official2)).result;
    expect(none).toMatchObject({ status: 'rejected', reason: { key: 'sync.noSuchProposal' } });
    expect(await eventCount()).toBe(before);
    // Not the spec this approver saw (another proposal got there first): refused, nothing published in their name.
    const other = (await s.command({ type: 'publish_round', roundId: id, version: 1, specDigest: specDigest({ ...spec, discountBp: 1_500 }) }, official2)).result;
    expect(other).toMatchObject({ status: 'rejected', reason: { key: 'sync.versionConflict' } });
    expect(await eventCount()).toBe(before);
    const published = (await s.command({ type: 'publish_round', roundId: id, version: 1, specDigest: specDigest(spec) }, official2)).result;
    expect(published).toMatchObject({ status: 'accepted' });
    expect(await s.sdb.db.selectFrom('server_rounds').select(['status', 'version']).where('round_id', '=', id).executeTakeFirst()).toEqual({ status: 'approved', version: 1 });
    // Publishing the same version again records nothing new.
    expect((await s.command({ type: 'publish_round', roundId: id, version: 1, specDigest: specDigest(spec) }, admin)).result).toMatchObject({ status: 'accepted', seq: null });
  });

  it('accepts the same proposal twice, refusing conflicting, stale or invalid ones', async () => {
    const id = 'round-proposals';
    await s.publish(id, 1, spec, official, official2);
    const v2 = { ...spec, sessionTimeoutMinutes: 60 };
    expect((await s.command({ type: 'propose_round', roundId: id, version: 2, spec: v2 }, official)).result).toMatchObject({ status: 'accepted' });
    expect((await s.command({ type: 'propose_round', roundId: id, version: 2, spec: v2 }, official2)).result).toMatchObject({ status: 'accepted' });
    const conflict = (await s.command({ type: 'propose_round', roundId: id, version: 2, spec: { ...v2, name: 'other' } }, official)).result;
    expect(conflict).toMatchObject({ status: 'rejected', reason: { key: 'sync.versionConflict' } });
    const stale = (await s.command({ type: 'propose_round', roundId: id, version: 1, spec: v2 }, official)).result;
    expect(stale).toMatchObject({ status: 'rejected', reason: { key: 'sync.staleVersion' } });
    const invalid = (await s.command({ type: 'propose_round', roundId: id, version: 9, spec: { ...spec, totalAmount: 123 } }, official)).result;
    expect(invalid).toMatchObject({ status: 'rejected', reason: { key: 'sync.invalidRoundBecause', params: { issue: 'issues.amountUnit', issueField: 'totalAmount' } } });
  });

  it('refuses a proposed round above the 20% discount any round has had, and takes 15% (a warning, not a refusal)', async () => {
    const id = `r-discount-${randomUUID().slice(0, 8)}`;
    const high = (await s.command({ type: 'propose_round', roundId: id, version: 1, spec: { ...spec, discountBp: 2_500 } }, official)).result;
    expect(high).toMatchObject({ status: 'rejected', reason: { key: 'sync.invalidRoundBecause', params: { issue: 'issues.discountRange', issueField: 'discountBp', max: 20, value: 25 } } });
    const usual = (await s.command({ type: 'propose_round', roundId: id, version: 1, spec: { ...spec, discountBp: 1_500 } }, official)).result;
    expect(usual).toMatchObject({ status: 'accepted' });
  });

  it('refuses a proposed round whose denominations the programme does not issue, saying why in Korean', async () => {
    const id = `r-denoms-${randomUUID().slice(0, 8)}`;
    const cases: [number[], string][] = [
      [[10_000, 15_000], 'issues.denominationNotIssued'],
      [[10_500], 'issues.denominationsUnit'],
      [[10_000, 10_000], 'issues.denominationsDuplicate'],
      [[], 'issues.denominationsEmpty'],
      [[10_000, 500_000], 'issues.denominationAboveLimit'],
    ];
    for (const [denominations, issue] of cases) {
      const r = (await s.command({ type: 'propose_round', roundId: id, version: 1, spec: { ...spec, denominations } }, official)).result;
      expect(r, JSON.stringify(denominations)).toMatchObject({ status: 'rejected', reason: { key: 'sync.invalidRoundBecause', params: { issue } } });
    }
    const fifteen = (await s.command({ type: 'propose_round', roundId: id, version: 1, spec: { ...spec, denominations: [15_000] } }, official)).result as { reason: { key: string; params: Record<string, string | number> } };
    expect(translate('ko', fifteen.reason.key, fifteen.reason.params)).toBe(
      '서버가 회차 설정을 거절했습니다: ₩15,000은 이 사업이 발행하는 권종이 아닙니다 (발행 권종: 1,000 · 5,000 · 10,000 · 50,000 · 100,000 · 500,000원)',
    );
    const proposals = await s.sdb.db.selectFrom('round_proposals').select('version').where('round_id', '=', id).execute();
    expect(proposals).toEqual([]);
    expect((await s.command({ type: 'propose_round', roundId: id, version: 1, spec: { ...spec, denominations: [5_000, 10_000, 50_000, 100_000] } }, official)).result).toMatchObject({ status: 'accepted' });
  });

  it('refuses changing the total while on sale (the stock is not an operational setting)', async () => {
    expect((await s.command({ type: 'propose_round', roundId, version: 2, spec: { ...spec, totalAmount: 100_000_000 } }, official)).result).toMatchObject({ status: 'rejected', reason: { key: 'lifecycle.onSaleLocked' } });
  });

  it('while on sale, refuses raising the discount 7% → 30% and the limits ×10, and takes operational changes', async () => {
    const raised = { ...spec, discountBp: 1_500, perPersonMonthlyLimit: spec.perPersonMonthlyLimit * 10, holdingLimit: spec.holdingLimit * 10 };
    const r = (await s.command({ type: 'propose_round', roundId, version: 2, spec: raised }, official)).result;
    expect(r).toMatchObject({ status: 'rejected', reason: { key: 'lifecycle.onSaleLocked' } });
    expect(String(r.reason!.params!.fields)).toMatch(/discountBp/);
    expect(String(r.reason!.params!.fields)).toMatch(/perPersonMonthlyLimit/);
    const pastClose = (await s.command({ type: 'propose_round', roundId, version: 2, spec: { ...spec, closesAt: new Date(s.now().getTime() - 1_000).toISOString() } }, official)).result;
    expect(pastClose, JSON.stringify(pastClose)).toMatchObject({ status: 'rejected', reason: { key: 'lifecycle.closesInPast' } });
    const longer = { ...spec, sessionTimeoutMinutes: 60 };
    await s.publish(roundId, 2, longer, official, official2);
    expect(await s.sdb.db.selectFrom('server_rounds').select(['status', 'version']).where('round_id', '=', roundId).executeTakeFirst()).toEqual({ status: 'on_sale', version: 2 });
  });

  it('checks the on-sale lock again at publication, against the spec then in effect', async () => {
    const id = 'round-late-lock';
    const s2 = spec2022({ paymentMethods: ['bank_transfer'] });
    s.clock = new Date(Date.parse(s2.opensAt) - 3_600_000);
    await s.publish(id, 1, s2, official, official2);
    expect(await s.transition(id, 'schedule', official)).toMatchObject({ status: 'accepted' });
    // Proposed while scheduled (allowed then), approved only once the sale has opened.
    expect((await s.command({ type: 'propose_round', roundId: id, version: 2, spec: { ...s2, discountBp: 1_500 } }, official)).result).toMatchObject({ status: 'accepted' });
    s.clock = new Date(Date.parse(s2.opensAt) + 60_000);
    expect(await s.transition(id, 'open', official)).toMatchObject({ status: 'accepted' });
    const late = (await s.command({ type: 'publish_round', roundId: id, version: 2, specDigest: specDigest({ ...s2, discountBp: 1_500 }) }, official2)).result;
    expect(late).toMatchObject({ status: 'rejected', reason: { key: 'lifecycle.onSaleLocked', params: { fields: 'discountBp' } } });
    s.clock = duringSale;
  });
});

describe('rehearsal assumptions and queue settings ride in the round spec', () => {
  it('takes the notice, queue order and assumptions while on sale (they move no money), refusing malformed ones, and publishes them', async () => {
    const rehearsal = {
      seed: 7,
      arrival: { curve: 'decay', spikeMinutes: 5, decayMinutes: 15, perMinute: [], preOpenShare: 0.3, preOpenMinutes: 5 },
      maxConnections: 200_000,
      fullLimitShare: 0.85,
      sessionPolicy: 'expires_while_waiting',
      patience: { kind: 'exponential', meanMinutes: 120 },
      returns: { probability: 0.8, delayMinutes: 2 },
      checkout: { meanSeconds: 120, distribution: 'lognormal', failureRate: 0.15, maxRetries: 2 },
    };
    const current = (await s.sdb.db.selectFrom('server_rounds').select(['version']).where('round_id', '=', roundId).executeTakeFirstOrThrow()).version;
    const next = Number(current) + 1;
    const v = { ...spec, sessionTimeoutMinutes: 60, waitingRoom: { ...spec.waitingRoom, order: 'fifo', stockCutoff: true }, rehearsal };
    const bad = (await s.command({ type: 'propose_round', roundId, version: next, spec: { ...v, rehearsal: { ...rehearsal, checkout: { ...rehearsal.checkout, failureRate: 2 } } } }, official));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('rehearsal');
    const before = await eventCount();
    await s.publish(roundId, next, v as never, official, official2);
    const published = await eventAt(before + 1);
    expect(published.payload).toMatchObject({ type: 'round_published', version: next, spec: { waitingRoom: { stockCutoff: true, order: 'fifo' }, rehearsal: { seed: 7, maxConnections: 200_000 } } });
  });
});

describe('the lifecycle on the server', () => {
  const id = 'round-lifecycle';
  const ls = spec2022({ paymentMethods: ['bank_transfer'], name: 'lifecycle' });
  const opens = Date.parse(ls.opensAt);
  const feed = (purchases = 100) => s.post('/api/feed/sale', { roundId: id, purchases, seed: 3 }, admin);

  it('schedules, opens, closes and settles by its own status and clock, refusing sales outside on-sale', async () => {
    s.clock = new Date(opens - 7_200_000);
    await s.publish(id, 1, ls, official, official2);
    // Approved, not on sale: no sales.
    expect(await feed()).toMatchObject({ status: 409, body: { error: { key: 'sync.roundNotOnSale' } } });
    expect(await s.transition(id, 'open', official)).toMatchObject({ status: 'rejected', reason: { key: 'lifecycle.notInStatus' } });
    expect(await s.transition(id, 'schedule', official)).toMatchObject({ status: 'accepted' });
    expect(await feed()).toMatchObject({ status: 409, body: { error: { key: 'sync.roundNotOnSale' } } });
    // Before the opening time by the server's clock, whatever a console believes.
    expect(await s.transition(id, 'open', official)).toMatchObject({ status: 'rejected', reason: { key: 'lifecycle.notYetOpen' } });
    s.clock = new Date(opens + 600_000);
    expect(await s.transition(id, 'open', official)).toMatchObject({ status: 'accepted' });
    const fed = await feed(50);
    expect(fed).toMatchObject({ status: 200, body: { purchases: 50 } });
    expect(await s.transition(id, 'close', official)).toMatchObject({ status: 'accepted' });
    const before = await eventCount();
    expect(await feed()).toMatchObject({ status: 409, body: { error: { key: 'sync.roundNotOnSale', params: { status: 'closed' } } } });
    // Refunds go on after the close.
    const [lot] = (await s.sdb.db.selectFrom('lots').select(['lot_id', 'paid', 'used']).where('round_id', '=', id).where('used', '=', '0' as never).execute()).map((l) => ({ lot_id: l.lot_id, paid: Number(l.paid) }));
    expect((await s.command(cancel(lot!, randomUUID(), id), official)).result).toMatchObject({ status: 'accepted' });
    expect(await s.transition(id, 'settle', official)).toMatchObject({ status: 'accepted' });
    // The defect: 100 sales were accepted after the round was settled.
    expect(await feed(100)).toMatchObject({ status: 409, body: { error: { key: 'sync.roundNotOnSale', params: { status: 'settled' } } } });
    expect(await eventCount()).toBe(before + 2);
    expect((await s.command({ type: 'propose_round', roundId: id, version: 2, spec: { ...ls, sessionTimeoutMinutes: 60 } }, official)).result).toMatchObject({ status: 'rejected', reason: { key: 'lifecycle.locked' } });
    const statuses = await s.sdb.db.selectFrom('events').select('payload').where('type', '=', 'round_status').where('round_id', '=', id).orderBy('seq').execute();
    expect(statuses.map((r) => (JSON.parse(r.payload) as { status: string }).status)).toEqual(['scheduled', 'on_sale', 'closed', 'settled']);
    s.clock = duringSale;
  });

  it('refuses a single purchase outside the window, in the server’s future, or in a round not on sale', async () => {
    const { applyLedgerEvent } = await import('../../server/log/state.js');
    const purchase = (round: string, at: string) => ({
      type: 'purchase' as const,
      eventId: randomUUID(),
      roundId: round,
      lotId: randomUUID(),
      at,
      buyerId: 'b-1',
      districtCode: '11440',
      face: 10_000,
      paid: 9_300,
      paymentMethod: 'bank_transfer' as const,
    });
    const rollback = async (round: string, at: string, now: Date) => {
      let result: Awaited<ReturnType<typeof applyLedgerEvent>> | undefined;
      await s.sdb.db
        .transaction()
        .execute(async (trx) => {
          result = await applyLedgerEvent(trx, purchase(round, at), now);
          throw new Error('rollback');
        })
        .catch(() => undefined);
      return result!;
    };
    const inWindow = new Date(Date.parse(spec.opensAt) + 60_000).toISOString();
    expect(await rollback(roundId, inWindow, duringSale)).toEqual({ ok: true, value: undefined });
    expect(await rollback(roundId, new Date(Date.parse(spec.opensAt) - 60_000).toISOString(), duringSale)).toMatchObject({ ok: false, key: 'ledger.outsideSaleWindow' });
    expect(await rollback(roundId, spec.closesAt, new Date(Date.parse(spec.closesAt) + 60_000))).toMatchObject({ ok: false, key: 'ledger.outsideSaleWindow' });
    expect(await rollback(roundId, inWindow, new Date(Date.parse(inWindow) - 1_000))).toMatchObject({ ok: false, key: 'ledger.saleInFuture' });
    expect(await rollback(id, new Date(opens + 60_000).toISOString(), new Date(opens + 120_000))).toMatchObject({ ok: false, key: 'sync.roundNotOnSale' });
  });
});

describe('time and identity', () => {
  it("refuses a command sent with a clock far from the server's, recording nothing, so it can be sent again", async () => {
    const [lot] = await lotsIn('11440', (u) => u === 0);
    const cmd = cancel(lot!);
    const before = await eventCount();
    // The defect: a console with its clock set back to 2015 had a cancellation accepted.
    const skewed = await s.post('/api/commands', { ...cmd, sentAt: '2015-06-01T00:00:00.000Z', requestedAt: '2015-06-01T00:00:00.000Z' }, mapoClerk);
    expect(skewed).toMatchObject({ status: 422, body: { error: { key: 'sync.clockSkew', params: { server: s.now().toISOString(), sent: '2015-06-01T00:00:00.000Z' } } } });
    expect(await eventCount()).toBe(before);
    expect(await s.sdb.db.selectFrom('commands').select('command_id').where('command_id', '=', cmd.commandId).execute()).toEqual([]);
    const ahead = await s.post('/api/commands', { ...cmd, sentAt: new Date(s.now().getTime() + 6 * 60_000).toISOString() }, mapoClerk);
    expect(ahead.status).toBe(422);
    // With the clock right, the same command goes through.
    expect((await s.command(cmd, mapoClerk)).result).toMatchObject({ status: 'accepted' });
  });

  it("judges expiry by the server's clock and stamps the event with it; requestedAt is only kept", async () => {
    const [lot, other] = await lotsIn('11440', (u) => u === 0);
    // requestedAt before the purchase (a console clock set back) decides nothing: the server's time does.
    const early = { ...cancel(lot!), requestedAt: '2015-06-01T00:00:00.000Z' };
    const r = (await s.command(early, mapoClerk)).result;
    expect(r).toMatchObject({ status: 'accepted' });
    expect((await eventAt(r.seq!)).payload).toMatchObject({ at: s.now().toISOString() });
    const stored = await s.sdb.db.selectFrom('commands').select('request').where('command_id', '=', early.commandId).executeTakeFirstOrThrow();
    expect(JSON.parse(stored.request)).toMatchObject({ requestedAt: '2015-06-01T00:00:00.000Z' });
    // Five years later by the server's clock the lot has expired, whatever time the console asked at.
    s.clock = new Date(Date.parse(other!.purchased_at) + 6 * 365 * 86_400_000);
    try {
      // Signed in at that time: a token from the sale's day has long expired.
      const clerk = await s.user('mapo-later', 'clerk', '11440');
      const expired = (await s.command({ ...cancel(other!), requestedAt: other!.purchased_at }, clerk)).result;
      expect(expired).toMatchObject({ status: 'rejected', reason: { key: 'ledger.lotExpired' } });
    } finally {
      s.clock = duringSale;
    }
  });

  it('answers normally when a command id equals an existing event id', async () => {
    const [lot] = await lotsIn('11440', (u) => u === 0);
    const existing = await s.sdb.db.selectFrom('events').select('event_id').where('type', '=', 'purchase').executeTakeFirstOrThrow();
    const r = await s.command(cancel(lot!, existing.event_id), mapoClerk);
    expect(r.status).toBe(200);
    expect(r.result).toMatchObject({ status: 'accepted' });
  });

  it("evaluates another user's replay of a command id as theirs, never answering with the first user's result", async () => {
    const [lot] = await lotsIn('11440', (u) => u === 0);
    const cmd = cancel(lot!);
    expect((await s.command(cmd, mapoClerk)).result).toMatchObject({ status: 'accepted' });
    const replay = (await s.command(cmd, gangnamClerk)).result;
    expect(replay).toMatchObject({ status: 'rejected', reason: { key: 'sync.otherDistrict' } });
    const rows = await s.sdb.db.selectFrom('commands').select(['user_id', 'status']).where('command_id', '=', cmd.commandId).orderBy('status').execute();
    expect(rows.map((r) => r.status)).toEqual(['accepted', 'rejected']);
  });
});

describe('the log', () => {
  it('keeps a gapless log whose chain any copy can recompute', async () => {
    const head = (await s.get('/api/head', admin)).body as { seq: number; hash: string };
    const rows = await s.sdb.db.selectFrom('events').select(['seq', 'payload', 'hash']).orderBy('seq').execute();
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: head.seq }, (_, i) => i + 1));
    let h = LOG_GENESIS;
    for (const r of rows) {
      h = chainHash(h, Number(r.seq), r.payload);
      expect(r.hash).toBe(h);
      // Stored payloads are canonical.
      expect(canonicalEvent(JSON.parse(r.payload))).toBe(r.payload);
    }
    expect(head.hash).toBe(h);
    expect((await s.get(`/api/chain?seq=${head.seq}`, admin)).body).toEqual(head);
  });

  it('keeps the log append-only in the database itself', async () => {
    await expect(s.sdb.db.updateTable('events').set({ type: 'x' }).where('seq', '=', '1').execute()).rejects.toThrow(/append-only/);
    await expect(s.sdb.db.deleteFrom('events').execute()).rejects.toThrow(/append-only/);
  });
});

