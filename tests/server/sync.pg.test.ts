import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Output } from '../../shared/api/contract.js';
import { chainHash } from '../../shared/node/ledger/chain.js';
import { SyncClient } from '../../shared/node/sync/client.js';
import { newCommandId } from '../../shared/node/sync/sync-service.js';
import { Harness } from '../support/backend-harness.js';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

let server: ServerHarness;
let serverAdmin: string;
let consoleA: Harness;
let adminA: string;
let roundId: string;

async function syncNow(h: Harness, session: string): Promise<Output<'jobs.get'>> {
  const job = await h.call('sync.run', {}, session);
  for (let i = 0; i < 2_000; i++) {
    const j = await h.call('jobs.get', { id: job.id }, session);
    if (j.state !== 'running') return j;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('sync did not finish');
}

async function approvedRound(h: Harness, admin: string): Promise<string> {
  const kim = await h.user(admin, 'kim', 'official');
  const { id } = await h.call('rounds.create', { spec: spec2022({ paymentMethods: ['bank_transfer', 'debit_card'] }) }, kim.session);
  await h.call('rounds.transition', { id, expectedVersion: 1, action: 'approve' }, admin);
  return id;
}

async function consoleWith(serverUser: string, role: 'admin' | 'official' | 'clerk', district: string | null = null): Promise<{ h: Harness; admin: string }> {
  const h = await Harness.start();
  const admin = await h.admin();
  await server.user(serverUser, role, district);
  await h.call('sync.connect', { serverUrl: server.url, username: serverUser, password: `${serverUser}-password` }, admin);
  return { h, admin };
}

beforeAll(async () => {
  server = await ServerHarness.start();
  serverAdmin = await server.user('root', 'admin');
  ({ h: consoleA, admin: adminA } = await consoleWith('city-hall', 'official'));
  roundId = await approvedRound(consoleA, adminA);
});
afterAll(async () => {
  await consoleA?.close();
  await server?.close();
});

describe('console sync with the central server', () => {
  it('publishes an approved round through the outbox and pulls it back', async () => {
    const outbox = await consoleA.call('sync.outbox', {}, adminA);
    expect(outbox.map((o) => [o.type, o.state])).toEqual([['publish_round', 'pending']]);
    const job = await syncNow(consoleA, adminA);
    expect(job).toMatchObject({ state: 'done', result: { accepted: 1, pulled: 1 } });
    expect((await consoleA.call('sync.outbox', {}, adminA))[0]).toMatchObject({ state: 'accepted', serverSeq: 1 });
    expect(await consoleA.call('sync.status', {}, adminA)).toMatchObject({ lastSeq: 1, headSeq: 1, chainStatus: 'ok', pendingOutbox: 0, lastError: null });
  });

  it('pulls 100,000 events and agrees with the server on totals and chain', async () => {
    const fed = await server.post('/api/feed/sale', { roundId, purchases: 70_000, seed: 3, usesShare: 0.45 }, serverAdmin);
    expect(fed.status).toBe(200);
    const played = fed.body as { purchases: number; uses: number };
    const head = (await server.get('/api/head', serverAdmin)).body as { seq: number; hash: string };
    expect(head.seq).toBeGreaterThan(100_000);
    const job = await syncNow(consoleA, adminA);
    expect(job).toMatchObject({ state: 'done', result: { pulled: head.seq - 1 } });
    const status = await consoleA.call('sync.status', {}, adminA);
    expect(status).toMatchObject({ lastSeq: head.seq, chainStatus: 'ok' });
    const totals = await consoleA.call('ledger.totals', { roundId }, adminA);
    expect(totals.serverError).toBeNull();
    expect(totals.local).toEqual(totals.server);
    expect(totals.local.purchases).toBe(played.purchases);
    expect(played.purchases + played.uses).toBe(head.seq - 1);
    // The local chain recomputes to the server's head.
    expect(await consoleA.backend.deps.sync.localHashAt(head.seq)).toBe(head.hash);
    expect((await consoleA.call('rounds.list', {}, adminA))[0]).toMatchObject({ sold: totals.local.faceSold });
  });

  it('has one effect when a command is pushed twice (the answer was lost the first time)', async () => {
    const lot = await consoleA.backend.deps.db.selectFrom('lots').select(['lot_id', 'paid']).where('used', '=', 0).where('status', '=', 'active').executeTakeFirstOrThrow();
    const { commandId } = await consoleA.call('refunds.request', { lotId: lot.lot_id }, adminA);
    const row = await consoleA.backend.deps.db.selectFrom('outbox').select('payload').where('command_id', '=', commandId).executeTakeFirstOrThrow();
    // Sent once behind the outbox's back, as if the reply never arrived...
    const state = await consoleA.backend.deps.db.selectFrom('sync_state').select(['server_url', 'token']).executeTakeFirstOrThrow();
    const first = await new SyncClient(state.server_url!, consoleA.backend.deps.vault.open(state.token!)).push(JSON.parse(row.payload));
    // ...then the outbox sends it again.
    const again = await syncNow(consoleA, adminA);
    expect({ state: again.state, error: again.error, result: again.result }).toMatchObject({ state: 'done', error: null, result: { accepted: 1, pulled: 1 } });
    const item = (await consoleA.call('sync.outbox', {}, adminA)).find((o) => o.commandId === commandId)!;
    expect(item).toMatchObject({ state: 'accepted', serverSeq: first.seq });
    const onServer = await server.sdb.db.selectFrom('events').select('seq').where('lot_id', '=', lot.lot_id).where('type', '=', 'cancel').execute();
    expect(onServer).toHaveLength(1);
    const detail = await consoleA.call('ledger.lot', { lotId: lot.lot_id }, adminA);
    expect(detail).toMatchObject({ status: 'cancelled', refunded: lot.paid });
  });

  it('accepts exactly one of two consoles approving the same refund', async () => {
    const { h: consoleB, admin: adminB } = await consoleWith('district-office', 'official');
    await syncNow(consoleB, adminB);
    const lot = await consoleA.backend.deps.db.selectFrom('lots').select('lot_id').where('used', '=', 0).where('status', '=', 'active').executeTakeFirstOrThrow();
    await consoleA.call('refunds.request', { lotId: lot.lot_id }, adminA);
    await consoleB.call('refunds.request', { lotId: lot.lot_id }, adminB);
    await Promise.all([syncNow(consoleA, adminA), syncNow(consoleB, adminB)]);
    const answers = [...(await consoleA.call('sync.outbox', {}, adminA)), ...(await consoleB.call('sync.outbox', {}, adminB))].filter((o) => o.lotId === lot.lot_id);
    expect(answers.map((o) => o.state).sort()).toEqual(['accepted', 'rejected']);
    expect(answers.find((o) => o.state === 'rejected')!.reason).toMatchObject({ key: 'ledger.lotClosed' });
    // After pulling again both copies show the lot cancelled once.
    await Promise.all([syncNow(consoleA, adminA), syncNow(consoleB, adminB)]);
    for (const [h, s] of [[consoleA, adminA], [consoleB, adminB]] as const) {
      expect((await h.call('ledger.lot', { lotId: lot.lot_id }, s)).events.filter((e) => e.type === 'cancel')).toHaveLength(1);
      expect((await h.call('sync.status', {}, s)).chainStatus).toBe('ok');
    }
    await consoleB.close();
  });

  it("holds a clerk account's district in full and every other district as digests, still chaining to the server's head", async () => {
    const { h: gangnam, admin } = await consoleWith('gangnam-reader', 'clerk', '11680');
    expect(await syncNow(gangnam, admin)).toMatchObject({ state: 'done' });
    const head = (await server.get('/api/head', serverAdmin)).body as { seq: number; hash: string };
    expect(await gangnam.call('sync.status', {}, admin)).toMatchObject({ lastSeq: head.seq, chainStatus: 'ok' });
    expect(await gangnam.backend.deps.sync.localHashAt(head.seq)).toBe(head.hash);
    const sqlite = gangnam.backend.ledger.sqlite;
    expect(sqlite.prepare("select count(*) from lots where district_code != '11680'").pluck().get()).toBe(0);
    expect(sqlite.prepare("select count(*) from ledger_events where district_code != '11680'").pluck().get()).toBe(0);
    const theirs = await server.sdb.db.selectFrom('lots').select('lot_id').where('round_id', '=', roundId).where('district_code', '=', '11680').execute();
    expect(sqlite.prepare('select count(*) from lots').pluck().get()).toBe(theirs.length);
    expect(sqlite.prepare('select count(*) from redacted_events').pluck().get()).toBeGreaterThan(theirs.length);
    // The recomputed local chain runs through the digests without a break.
    expect(await gangnam.call('sync.findDivergence', {}, admin)).toEqual({ seq: null });
    // The district's totals here and on the server agree, and say which district they cover.
    const totals = await gangnam.call('ledger.totals', { roundId }, admin);
    expect(totals.server).toMatchObject({ districtCode: '11680', purchases: theirs.length });
    expect(totals.local).toEqual(totals.server);
    await gangnam.close();
  });

  it("refuses a district clerk's refund on another district's lot, and shows the server's reason", async () => {
    const { h: gangnam, admin } = await consoleWith('gangnam-clerk', 'clerk', '11680');
    await syncNow(gangnam, admin);
    // The console holds no other district's lot, so the command is made by hand, as a modified console would.
    const lot = await server.sdb.db.selectFrom('lots').select(['lot_id', 'paid']).where('district_code', '=', '11440').where('used', '=', '0').where('status', '=', 'active').executeTakeFirstOrThrow();
    const me = await gangnam.call('auth.me', {}, admin);
    const command = { type: 'approve_refund' as const, commandId: newCommandId(), roundId, lotId: lot.lot_id, kind: 'cancel' as const, amount: Number(lot.paid), at: new Date().toISOString() };
    await gangnam.backend.deps.sync.enqueue(gangnam.backend.deps.db, command, me.id);
    await syncNow(gangnam, admin);
    const item = (await gangnam.call('sync.outbox', {}, admin)).find((o) => o.lotId === lot.lot_id)!;
    expect(item).toMatchObject({ state: 'rejected', reason: { key: 'sync.otherDistrict', params: { district: '11440' } } });
    expect(await gangnam.call('sync.status', {}, admin)).toMatchObject({ rejectedOutbox: 1 });
    await gangnam.close();
  });

  it('retries a command with backoff while the server is unreachable, and stays usable', async () => {
    const { h, admin } = await consoleWith('offline-office', 'official');
    await h.call('sync.connect', { serverUrl: server.url, username: 'offline-office', password: 'offline-office-password' }, admin);
    await h.backend.deps.db.updateTable('sync_state').set({ server_url: 'http://127.0.0.1:9' }).execute();
    const id = await approvedRound(h, admin);
    const job = await syncNow(h, admin);
    expect(job).toMatchObject({ state: 'failed', error: { key: 'sync.offline' } });
    const [item] = await h.call('sync.outbox', {}, admin);
    expect(item).toMatchObject({ state: 'pending', attempts: 1, lastError: { key: 'sync.offline' } });
    expect(Date.parse(item!.nextAttemptAt) - Date.parse(item!.createdAt)).toBeGreaterThanOrEqual(5_000);
    expect(await h.call('sync.status', {}, admin)).toMatchObject({ pendingOutbox: 1, lastError: { key: 'sync.offline' } });
    // The console still works offline.
    expect((await h.call('rounds.get', { id }, admin)).status).toBe('approved');
    await h.close();
  });

  it('refuses to connect with wrong server credentials, saying so', async () => {
    const h = await Harness.start();
    const admin = await h.admin();
    expect(await h.fail('sync.connect', { serverUrl: server.url, username: 'root', password: 'wrong-password' }, admin)).toMatchObject({ key: 'sync.badServerCredentials' });
    expect(await h.call('sync.status', {}, admin)).toMatchObject({ configured: false });
    await h.close();
  });
});

describe('repairing a copy that diverged', () => {
  async function repair(fromSeq: number) {
    const job = await consoleA.call('sync.repair', { fromSeq }, adminA);
    let j = job;
    while (j.state === 'running') {
      await new Promise((r) => setTimeout(r, 10));
      j = await consoleA.call('jobs.get', { id: job.id }, adminA);
    }
    return j;
  }

  it('finds an event edited in the local file and fetches the range again', async () => {
    const before = await consoleA.call('sync.status', {}, adminA);
    const totalsBefore = await consoleA.call('ledger.totals', { roundId }, adminA);
    const victim = consoleA.backend.ledger.sqlite.prepare("select max(seq) from ledger_events where type = 'use'").pluck().get() as number;
    // Someone edits an amount in the local file behind the console's back.
    consoleA.backend.ledger.sqlite.exec(`drop trigger ledger_events_no_update;
      update ledger_events set amount = amount + 10000, payload = replace(payload, '"amount":', '"amount":1') where seq = ${victim};`);
    expect((await consoleA.call('sync.findDivergence', {}, adminA)).seq).toBe(victim);
    expect(await repair(victim)).toMatchObject({ state: 'done', result: { pulled: before.lastSeq - victim + 1 } });
    expect((await consoleA.call('sync.findDivergence', {}, adminA)).seq).toBeNull();
    expect(await consoleA.call('sync.status', {}, adminA)).toMatchObject({ lastSeq: before.lastSeq, chainStatus: 'ok' });
    const totals = await consoleA.call('ledger.totals', { roundId }, adminA);
    expect(totals.local).toEqual(totals.server);
    expect(totals.local).toEqual(totalsBefore.local);
  });

  it('finds where a copy followed another history by bisecting against the server', async () => {
    const before = await consoleA.call('sync.status', {}, adminA);
    const sqlite = consoleA.backend.ledger.sqlite;
    const victim = sqlite.prepare("select min(seq) from ledger_events where type = 'use' and seq > ?").pluck().get(Math.floor(before.lastSeq / 3)) as number;
    // A copy whose chain is consistent with itself but tells another story from `victim` on.
    sqlite.exec(`update ledger_events set amount = amount + 10000, payload = replace(payload, '"amount":', '"amount":1') where seq = ${victim}`);
    const rows = sqlite.prepare('select seq, payload from ledger_events where seq >= ? order by seq').all(victim) as { seq: number; payload: string }[];
    let prev = sqlite.prepare('select hash from ledger_events where seq = ?').pluck().get(victim - 1) as string;
    const set = sqlite.prepare('update ledger_events set hash = ? where seq = ?');
    sqlite.transaction(() => {
      for (const r of rows) set.run((prev = chainHash(prev, r.seq, r.payload)), r.seq);
      sqlite.prepare('update sync_state set last_hash = ?').run(prev);
    })();
    expect(rows.length).toBeGreaterThan(1_000);
    const found = (await consoleA.call('sync.findDivergence', {}, adminA)).seq;
    expect(found).toBe(victim);
    expect(await repair(victim)).toMatchObject({ state: 'done' });
    expect((await consoleA.call('sync.findDivergence', {}, adminA)).seq).toBeNull();
    expect(await consoleA.call('sync.status', {}, adminA)).toMatchObject({ lastSeq: before.lastSeq, chainStatus: 'ok' });
  });
});
