import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalEvent, chainHash, LOG_GENESIS } from '../../shared/node/ledger/chain.js';
import type { CommandResult } from '../../shared/sync/protocol.js';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

let s: ServerHarness;
let admin: string;
let official: string;
let mapoClerk: string;
let gangnamClerk: string;
const roundId = 'round-2022';
const spec = spec2022({ paymentMethods: ['bank_transfer', 'debit_card'] });

beforeAll(async () => {
  s = await ServerHarness.start();
  admin = await s.user('admin', 'admin');
  official = await s.user('kim', 'official');
  mapoClerk = await s.user('mapo', 'clerk', '11440');
  gangnamClerk = await s.user('gangnam', 'clerk', '11680');
  const published = await s.post('/api/commands', { type: 'publish_round', commandId: randomUUID(), roundId, version: 1, spec }, official);
  expect(published.body).toMatchObject({ status: 'accepted', seq: 1 });
  const fed = await s.post('/api/feed/sale', { roundId, purchases: 500, seed: 7, usesShare: 0.5 }, admin);
  expect(fed.status).toBe(200);
});
afterAll(() => s.close());

async function lotsIn(district: string, predicate: (used: number) => boolean): Promise<{ lot_id: string; paid: number; face: number; used: number }[]> {
  const rows = await s.sdb.db.selectFrom('lots').select(['lot_id', 'paid', 'face', 'used']).where('district_code', '=', district).where('status', '=', 'active').execute();
  return rows.map((r) => ({ lot_id: r.lot_id, paid: Number(r.paid), face: Number(r.face), used: Number(r.used) })).filter((r) => predicate(r.used));
}

const cancel = (lot: { lot_id: string; paid: number }, commandId = randomUUID()) => ({
  type: 'approve_refund',
  commandId,
  roundId,
  lotId: lot.lot_id,
  kind: 'cancel',
  amount: lot.paid,
  at: new Date().toISOString(),
});

async function eventCount(): Promise<number> {
  return Number((await s.sdb.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
}

describe('central server commands', () => {
  it('requires a token, and answers with the same roles as the console', async () => {
    expect((await s.get('/api/head')).status).toBe(401);
    expect((await s.get('/api/head', 'forged')).status).toBe(401);
    expect((await s.post('/api/feed/sale', { roundId, purchases: 1 }, official)).status).toBe(403);
    expect((await s.post('/api/users', { username: 'x1x', displayName: 'x', password: 'long-password', role: 'analyst', districtCode: null }, official)).status).toBe(403);
    const analyst = await s.user('ana', 'analyst');
    const r = (await s.post('/api/commands', cancel((await lotsIn('11440', (u) => u === 0))[0]!), analyst)).body as CommandResult;
    expect(r).toMatchObject({ status: 'rejected', reason: { key: 'sync.roleNotAllowed' } });
  });

  it('applies a replayed command once and answers the replay the same', async () => {
    const [lot] = await lotsIn('11440', (u) => u === 0);
    const cmd = cancel(lot!);
    const before = await eventCount();
    const first = (await s.post('/api/commands', cmd, mapoClerk)).body as CommandResult;
    const again = (await s.post('/api/commands', cmd, mapoClerk)).body as CommandResult;
    expect(first).toMatchObject({ status: 'accepted' });
    expect(again).toEqual(first);
    expect(await eventCount()).toBe(before + 1);
    const row = await s.sdb.db.selectFrom('lots').select(['status', 'refunded']).where('lot_id', '=', lot!.lot_id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'cancelled', refunded: lot!.paid });
    // The same id for a different command is refused outright.
    expect((await s.post('/api/commands', { ...cmd, amount: cmd.amount - 10 }, mapoClerk)).status).toBe(409);
  });

  it('accepts exactly one of two consoles approving the same refund at once', async () => {
    const [lot] = await lotsIn('11440', (u) => u === 0);
    const [a, b] = await Promise.all([s.post('/api/commands', cancel(lot!), mapoClerk), s.post('/api/commands', cancel(lot!), official)]);
    const results = [a.body, b.body] as CommandResult[];
    expect(results.map((r) => r.status).sort()).toEqual(['accepted', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')!.reason).toMatchObject({ key: 'ledger.lotClosed' });
    const refunds = await s.sdb.db.selectFrom('events').select('seq').where('lot_id', '=', lot!.lot_id).where('type', '=', 'cancel').execute();
    expect(refunds).toHaveLength(1);
  });

  it("refuses a clerk acting on another district's lot, with the reason", async () => {
    const [lot] = await lotsIn('11440', (u) => u === 0);
    const before = await eventCount();
    const r = (await s.post('/api/commands', cancel(lot!), gangnamClerk)).body as CommandResult;
    expect(r).toMatchObject({ status: 'rejected', reason: { key: 'sync.otherDistrict', params: { district: '11440' } }, seq: null });
    expect(await eventCount()).toBe(before);
  });

  it('checks refunds against the rules: amount, threshold and cash-only', async () => {
    const [used] = await lotsIn('11440', (u) => u > 0);
    const cancelUsed = (await s.post('/api/commands', cancel(used!), mapoClerk)).body as CommandResult;
    expect(cancelUsed.status).toBe('rejected');
    expect(['ledger.refundKind', 'ledger.belowThreshold', 'ledger.cashOnly']).toContain(cancelUsed.reason!.key);
    const [fresh] = await lotsIn('11440', (u) => u === 0);
    const tooMuch = (await s.post('/api/commands', { ...cancel(fresh!), amount: fresh!.paid + 10_000 }, mapoClerk)).body as CommandResult;
    expect(tooMuch).toMatchObject({ status: 'rejected', reason: { key: 'ledger.refundAmount' } });
  });

  it('publishes round versions once, refusing conflicting or stale ones', async () => {
    const again = (await s.post('/api/commands', { type: 'publish_round', commandId: randomUUID(), roundId, version: 1, spec }, official)).body as CommandResult;
    expect(again).toMatchObject({ status: 'accepted', seq: null });
    const conflict = (await s.post('/api/commands', { type: 'publish_round', commandId: randomUUID(), roundId, version: 1, spec: { ...spec, name: 'other' } }, official)).body as CommandResult;
    expect(conflict).toMatchObject({ status: 'rejected', reason: { key: 'sync.versionConflict' } });
    const v2 = (await s.post('/api/commands', { type: 'publish_round', commandId: randomUUID(), roundId, version: 2, spec: { ...spec, sessionTimeoutMinutes: 60 } }, official)).body as CommandResult;
    expect(v2.status).toBe('accepted');
    const stale = (await s.post('/api/commands', { type: 'publish_round', commandId: randomUUID(), roundId, version: 1, spec }, official)).body as CommandResult;
    expect(stale).toMatchObject({ status: 'rejected', reason: { key: 'sync.staleVersion' } });
    const below = (await s.post('/api/commands', { type: 'publish_round', commandId: randomUUID(), roundId, version: 3, spec: { ...spec, totalAmount: 100_000_000 } }, official)).body as CommandResult;
    expect(below).toMatchObject({ status: 'rejected', reason: { key: 'sync.belowSold' } });
    expect((await s.post('/api/commands', { type: 'publish_round', commandId: randomUUID(), roundId, version: 9, spec: { ...spec, totalAmount: 123 } }, official)).body).toMatchObject({ status: 'rejected', reason: { key: 'sync.invalidRound' } });
  });

  it('refuses malformed commands with a message naming the field', async () => {
    const r = await s.post('/api/commands', { type: 'approve_refund', commandId: 'x', roundId, lotId: 'l', kind: 'cancel', amount: -5, at: 'yesterday' }, mapoClerk);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(/amount/);
    expect(JSON.stringify(r.body)).toMatch(/at/);
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
