import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../shared/common/roles.js';
import { chainHash } from '../../shared/node/chain/log-hash.js';
import { SyncClient } from '../../shared/node/sync/client.js';
import { newCommandId } from '../../shared/node/kernel/command-ids.js';
import { userToken } from '../../shared/node/sync/user-tokens.js';
import { Harness } from '../support/backend-harness.js';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

let server: ServerHarness;
let serverAdmin: string;
let consoleA: Harness;
let adminA: string;
let roundId: string;
const spec = spec2022({ paymentMethods: ['bank_transfer', 'debit_card'] });
/** One clock for the server and every console; `skew` puts the server's ahead of the consoles'. */
let clock = new Date('2026-03-02T00:00:00.000Z');
let skew = 0;
const consoleNow = () => clock;

const syncNow = (h: Harness, session: string) => h.sync(session);

/** The same person on the server as on the consoles: same username, the consoles' test password. */
const made = new Set<string>();
async function serverUser(username: string, role: Role, district: string | null = null): Promise<void> {
  if (made.has(username)) return;
  made.add(username);
  await server.user(username, role, district, `${username}-password-1`);
}

/** A console user who also exists on the server, signed in to both. */
async function consoleUser(h: Harness, admin: string, username: string, role: Role, district: string | null = null) {
  await serverUser(username, role, district);
  const u = await h.user(admin, username, role, district);
  await h.backend.deps.sync.signInsSettled();
  return u;
}

/** kim writes the round, the console's admin approves it: two people, on the console and on the server. */
async function approvedRound(h: Harness, admin: string): Promise<string> {
  const kim = await consoleUser(h, admin, 'kim', 'official');
  const { id } = await h.call('rounds.create', { spec }, kim.session);
  await h.call('rounds.transition', { id, expectedVersion: 1, action: 'approve' }, admin);
  return id;
}

/**
 * A console whose admin is connected to the server: by default with their own server account (`admin`), or
 * with another account, whose role decides what the console may read.
 */
async function consoleWith(account = 'admin', role: Role = 'admin', district: string | null = null): Promise<{ h: Harness; admin: string }> {
  const h = await Harness.start(consoleNow);
  const admin = await h.admin();
  await serverUser(account, role, district);
  await h.call('sync.connect', { serverUrl: server.url, username: account, password: `${account}-password-1` }, admin);
  if (account !== 'admin') {
    // Users are made on the server first, by the console administrator's own server account.
    await serverUser('admin', 'admin');
    await h.signIn('admin');
    await h.backend.deps.sync.signInsSettled();
  }
  return { h, admin };
}

beforeAll(async () => {
  server = await ServerHarness.start({ now: () => new Date(clock.getTime() + skew) });
  serverAdmin = await server.user('root', 'admin');
  ({ h: consoleA, admin: adminA } = await consoleWith());
  roundId = await approvedRound(consoleA, adminA);
});
afterAll(async () => {
  await consoleA?.close();
  await server?.close();
});

describe('console sync with the central server', () => {
  it('publishes a round through the outbox, proposed by its author and approved by another, and pulls it back', async () => {
    const outbox = await consoleA.call('sync.outbox', {}, adminA);
    expect(outbox.map((o) => [o.type, o.state, o.createdByName]).sort()).toEqual([
      ['propose_round', 'pending', 'kim'],
      ['publish_round', 'pending', '관리자'],
    ]);
    const job = await syncNow(consoleA, adminA);
    expect(job).toMatchObject({ state: 'done', result: { accepted: 2, pulled: 1 } });
    expect((await consoleA.call('sync.outbox', {}, adminA)).find((o) => o.type === 'publish_round')).toMatchObject({ state: 'accepted', serverSeq: 1 });
    expect(await consoleA.call('sync.status', {}, adminA)).toMatchObject({ lastSeq: 1, headSeq: 1, chainStatus: 'ok', pendingOutbox: 0, lastError: null });
    const published = await server.sdb.db.selectFrom('events').select(['payload', 'recorded_by']).where('seq', '=', '1').executeTakeFirstOrThrow();
    expect(published.recorded_by).toBe('admin');
    expect(JSON.parse(published.payload)).toMatchObject({ type: 'round_published', proposedBy: 'kim', approvedBy: 'admin' });
  });

  it('moves the round through its lifecycle on the server, whose status the consoles take', async () => {
    await consoleA.call('rounds.transition', { id: roundId, expectedVersion: 1, action: 'schedule' }, adminA);
    expect(await syncNow(consoleA, adminA)).toMatchObject({ state: 'done', result: { accepted: 1, pulled: 1 } });
    clock = new Date(Date.parse(spec.opensAt) + 3_600_000);
    // A day later: the console session has timed out; signing in again also renews the admin's server identity.
    adminA = await consoleA.signIn('admin');
    await consoleA.backend.deps.sync.signInsSettled();
    // Server tokens last 12 hours: the test's own server account signs in again too.
    serverAdmin = ((await server.post('/api/auth/sign-in', { username: 'root', password: 'root-password-1' })).body as { token: string }).token;
    await consoleA.call('rounds.transition', { id: roundId, expectedVersion: 1, action: 'open' }, adminA);
    expect(await syncNow(consoleA, adminA)).toMatchObject({ state: 'done', result: { accepted: 1, pulled: 1 } });
    expect(await server.sdb.db.selectFrom('server_rounds').select('status').where('round_id', '=', roundId).executeTakeFirst()).toEqual({ status: 'on_sale' });
    // The server's word wins: a local status edited behind the console's back is put right by the next status event.
    await consoleA.backend.deps.db.updateTable('rounds').set({ status: 'closed' }).where('id', '=', roundId).execute();
    const job = await consoleA.call('sync.repair', { fromSeq: 2 }, adminA);
    for (let i = 0; (await consoleA.call('jobs.get', { id: job.id }, adminA)).state === 'running' && i < 1_000; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await consoleA.call('rounds.get', { id: roundId }, adminA)).status).toBe('on_sale');
    expect(await consoleA.call('sync.status', {}, adminA)).toMatchObject({ lastSeq: 3, chainStatus: 'ok' });
  });

  it('pulls 100,000 events and agrees with the server on totals and chain', async () => {
    const fed = await server.post('/api/feed/sale', { roundId, purchases: 70_000, seed: 3, usesShare: 0.45 }, serverAdmin);
    expect(fed.status).toBe(200);
    const played = fed.body as { purchases: number; uses: number };
    const head = (await server.get('/api/head', serverAdmin)).body as { seq: number; hash: string };
    expect(head.seq).toBeGreaterThan(100_000);
    const job = await syncNow(consoleA, adminA);
    expect(job).toMatchObject({ state: 'done', result: { pulled: head.seq - 3 } });
    const status = await consoleA.call('sync.status', {}, adminA);
    expect(status).toMatchObject({ lastSeq: head.seq, chainStatus: 'ok' });
    const totals = await consoleA.call('ledger.totals', { roundId }, adminA);
    expect(totals.serverError).toBeNull();
    expect(totals.local).toEqual(totals.server);
    expect(totals.local.purchases).toBe(played.purchases);
    expect(played.purchases + played.uses).toBe(head.seq - 3);
    // The local chain recomputes to the server's head.
    expect(await consoleA.backend.deps.sync.localHashAt(head.seq)).toBe(head.hash);
    expect((await consoleA.call('rounds.list', {}, adminA))[0]).toMatchObject({ sold: totals.local.faceSold });
    // Payment references (event version 2) arrive with every fed purchase, in the columns matching reads.
    const refs = consoleA.backend.ledger.sqlite
      .prepare("select count(*) as n, count(pay_tid) as tids, count(distinct pay_tid) as distinctTids, sum(pay_amount) as paid, group_concat(distinct pay_provider) as providers from ledger_events where type = 'purchase'")
      .get() as { n: number; tids: number; distinctTids: number; paid: number; providers: string };
    expect(refs).toMatchObject({ n: played.purchases, tids: played.purchases, distinctTids: played.purchases, paid: totals.local.paid });
    expect(refs.providers.split(',').sort()).toEqual(['hecto', 'kicc']);
  });

  it('has one effect when a command is pushed twice (the answer was lost the first time)', async () => {
    const lot = await consoleA.backend.deps.db.selectFrom('lots').select(['lot_id', 'paid']).where('used', '=', 0).where('status', '=', 'active').executeTakeFirstOrThrow();
    const { commandId } = await consoleA.call('refunds.request', { lotId: lot.lot_id, reasonCode: 'buyer_request' }, adminA);
    const row = await consoleA.backend.deps.db.selectFrom('outbox').select('payload').where('command_id', '=', commandId).executeTakeFirstOrThrow();
    // Sent once behind the outbox's back, as if the reply never arrived...
    const state = await consoleA.backend.deps.db.selectFrom('sync_state').select(['server_url']).executeTakeFirstOrThrow();
    const adminId = (await consoleA.call('auth.me', {}, adminA)).id;
    const own = await userToken(consoleA.backend.deps.db, consoleA.backend.deps.userKeys, adminId);
    const first = await new SyncClient(state.server_url!, own!.token).push({ ...JSON.parse(row.payload), sentAt: clock.toISOString() });
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
    const { h: consoleB, admin: adminB } = await consoleWith();
    await syncNow(consoleB, adminB);
    const lot = await consoleA.backend.deps.db.selectFrom('lots').select('lot_id').where('used', '=', 0).where('status', '=', 'active').executeTakeFirstOrThrow();
    await consoleA.call('refunds.request', { lotId: lot.lot_id, reasonCode: 'buyer_request' }, adminA);
    await consoleB.call('refunds.request', { lotId: lot.lot_id, reasonCode: 'buyer_request' }, adminB);
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
    // The clerk acts as themselves on the server, with their own token.
    const me = await consoleUser(gangnam, admin, 'gangnam-clerk', 'clerk', '11680');
    const command = { type: 'approve_refund' as const, commandId: newCommandId(), roundId, lotId: lot.lot_id, kind: 'cancel' as const, amount: Number(lot.paid), requestedAt: clock.toISOString() };
    await gangnam.backend.deps.sync.enqueue(gangnam.backend.deps.db, command, me.id);
    await syncNow(gangnam, admin);
    const item = (await gangnam.call('sync.outbox', {}, admin)).find((o) => o.lotId === lot.lot_id)!;
    expect(item).toMatchObject({ state: 'rejected', reason: { key: 'sync.otherDistrict', params: { district: '11440' } } });
    expect(await gangnam.call('sync.status', {}, admin)).toMatchObject({ rejectedOutbox: 1 });
    await gangnam.close();
  });

  it("sends a clerk's refund as the clerk, held while the clerk is signed out, and the server names the clerk", async () => {
    const mapo = await consoleUser(consoleA, adminA, 'mapo', 'clerk', '11440');
    expect(await consoleA.call('sync.status', {}, mapo.session)).toMatchObject({ serverIdentity: { signedIn: true, error: null } });
    const lot = await consoleA.backend.deps.db.selectFrom('lots').select(['lot_id', 'paid']).where('district_code', '=', '11440').where('used', '=', 0).where('status', '=', 'active').executeTakeFirstOrThrow();
    const { commandId } = await consoleA.call('refunds.request', { lotId: lot.lot_id, reasonCode: 'buyer_request' }, mapo.session);
    await consoleA.call('auth.signOut', {}, mapo.session);
    // Signed out, the clerk's token is sealed under a key nobody holds: the command waits for her (finding 5).
    expect(await syncNow(consoleA, adminA)).toMatchObject({ state: 'done', result: { accepted: 0 } });
    expect((await consoleA.call('sync.outbox', {}, adminA)).find((o) => o.commandId === commandId)).toMatchObject({ state: 'pending', lastError: { key: 'sync.authorNeedsSignIn' } });
    await consoleA.signIn('mapo');
    await consoleA.backend.deps.sync.signInsSettled();
    // The admin's sync (the connection account pulls) sends the clerk's command with the clerk's own token.
    expect(await syncNow(consoleA, adminA)).toMatchObject({ state: 'done', result: { accepted: 1 } });
    const item = (await consoleA.call('sync.outbox', {}, adminA)).find((o) => o.commandId === commandId)!;
    expect(item).toMatchObject({ state: 'accepted', createdByName: 'mapo' });
    const ev = await server.sdb.db.selectFrom('events').select(['payload', 'recorded_by']).where('seq', '=', String(item.serverSeq)).executeTakeFirstOrThrow();
    expect(ev.recorded_by).toBe('mapo');
    expect(JSON.parse(ev.payload)).toMatchObject({ type: 'cancel', lotId: lot.lot_id, by: 'mapo', at: clock.toISOString() });
    expect((await consoleA.call('ledger.lot', { lotId: lot.lot_id }, adminA)).status).toBe('cancelled');

    // Hand-made, with the clerk's own token: another district's lot is refused by the server itself.
    const other = await consoleA.backend.deps.db.selectFrom('lots').select(['lot_id', 'paid']).where('district_code', '=', '11680').where('used', '=', 0).where('status', '=', 'active').executeTakeFirstOrThrow();
    const mapoToken = (await userToken(consoleA.backend.deps.db, consoleA.backend.deps.userKeys, mapo.id))!.token;
    const forged = await new SyncClient(server.url, mapoToken).push({
      type: 'approve_refund',
      commandId: randomUUID(),
      sentAt: clock.toISOString(),
      requestedAt: clock.toISOString(),
      roundId,
      lotId: other.lot_id,
      kind: 'cancel',
      amount: other.paid,
    });
    expect(forged).toMatchObject({ status: 'rejected', reason: { key: 'sync.otherDistrict', params: { district: '11680' } } });
  });

  it('holds a command whose author has no server identity, naming them, until they sign in again', async () => {
    // A clerk who signed in while the server was unreachable: no server identity.
    // (Made while the server was reachable: a user the server has not accepted is never made.)
    await serverUser('mapo2', 'clerk', '11440');
    await consoleA.call('users.create', { username: 'mapo2', displayName: 'mapo2', password: 'mapo2-password-1', role: 'clerk', districtCode: '11440' }, adminA);
    const url = (await consoleA.backend.deps.db.selectFrom('sync_state').select('server_url').executeTakeFirstOrThrow()).server_url!;
    await consoleA.backend.deps.db.updateTable('sync_state').set({ server_url: 'http://127.0.0.1:9' }).execute();
    const mapo2 = { session: await consoleA.signIn('mapo2') };
    await consoleA.backend.deps.sync.signInsSettled();
    await consoleA.backend.deps.db.updateTable('sync_state').set({ server_url: url }).execute();
    expect(await consoleA.call('sync.status', {}, mapo2.session)).toMatchObject({ serverIdentity: { signedIn: false, error: { key: 'sync.offline' } } });
    const lot = await consoleA.backend.deps.db.selectFrom('lots').select('lot_id').where('district_code', '=', '11440').where('used', '=', 0).where('status', '=', 'active').executeTakeFirstOrThrow();
    const { commandId } = await consoleA.call('refunds.request', { lotId: lot.lot_id, reasonCode: 'buyer_request' }, mapo2.session);
    expect(await syncNow(consoleA, adminA)).toMatchObject({ state: 'done' });
    const held = (await consoleA.call('sync.outbox', {}, adminA)).find((o) => o.commandId === commandId)!;
    expect(held).toMatchObject({ state: 'pending', lastError: { key: 'sync.authorNeedsSignIn', params: { name: 'mapo2' } } });
    expect(held.lastError!.message).toMatch(/mapo2/);
    expect(await consoleA.call('sync.status', {}, adminA)).toMatchObject({ pendingOutbox: 1, lastError: { key: 'sync.authorNeedsSignIn' } });
    // Signing in again while the server is reachable lets it go, in the clerk's name.
    await consoleA.signIn('mapo2');
    await consoleA.backend.deps.sync.signInsSettled();
    expect(await syncNow(consoleA, adminA)).toMatchObject({ state: 'done', result: { accepted: 1 } });
    const sent = (await consoleA.call('sync.outbox', {}, adminA)).find((o) => o.commandId === commandId)!;
    expect(sent).toMatchObject({ state: 'accepted' });
    expect((await server.sdb.db.selectFrom('events').select('recorded_by').where('seq', '=', String(sent.serverSeq)).executeTakeFirstOrThrow()).recorded_by).toBe('mapo2');
  });

  it('forgets a token the server no longer takes, and holds the command until its author signs in again', async () => {
    const session = await consoleA.signIn('mapo2');
    await consoleA.backend.deps.sync.signInsSettled();
    const mapo2Id = (await consoleA.call('auth.me', {}, session)).id;
    const serverId = (await server.sdb.db.selectFrom('users').select('id').where('username', '=', 'mapo2').executeTakeFirstOrThrow()).id;
    await server.sdb.db.deleteFrom('sessions').where('user_id', '=', serverId).execute();
    const lot = await consoleA.backend.deps.db.selectFrom('lots').select('lot_id').where('district_code', '=', '11440').where('used', '=', 0).where('status', '=', 'active').executeTakeFirstOrThrow();
    const { commandId } = await consoleA.call('refunds.request', { lotId: lot.lot_id, reasonCode: 'buyer_request' }, session);
    expect(await syncNow(consoleA, adminA)).toMatchObject({ state: 'done', result: { accepted: 0 } });
    expect((await consoleA.call('sync.outbox', {}, adminA)).find((o) => o.commandId === commandId)).toMatchObject({ state: 'pending', lastError: { key: 'sync.authorNeedsSignIn' } });
    expect(await userToken(consoleA.backend.deps.db, consoleA.backend.deps.userKeys, mapo2Id)).toBeNull();
    await consoleA.signIn('mapo2');
    await consoleA.backend.deps.sync.signInsSettled();
    expect(await syncNow(consoleA, adminA)).toMatchObject({ state: 'done', result: { accepted: 1 } });
  });

  it("keeps a command pending when the console's clock is off, says so, and sends it once the clock is right", async () => {
    const lot = await consoleA.backend.deps.db.selectFrom('lots').select('lot_id').where('used', '=', 0).where('status', '=', 'active').executeTakeFirstOrThrow();
    const { commandId } = await consoleA.call('refunds.request', { lotId: lot.lot_id, reasonCode: 'buyer_request' }, adminA);
    skew = 10 * 60_000;
    try {
      expect(await syncNow(consoleA, adminA)).toMatchObject({ state: 'done', result: { accepted: 0 } });
      expect((await consoleA.call('sync.outbox', {}, adminA)).find((o) => o.commandId === commandId)).toMatchObject({ state: 'pending', lastError: { key: 'sync.clockSkew' } });
      expect(await consoleA.call('sync.status', {}, adminA)).toMatchObject({ lastError: { key: 'sync.clockSkew' } });
      expect(await server.sdb.db.selectFrom('commands').select('command_id').where('command_id', '=', commandId).execute()).toEqual([]);
    } finally {
      skew = 0;
    }
    expect(await syncNow(consoleA, adminA)).toMatchObject({ state: 'done', result: { accepted: 1 } });
    expect(await consoleA.call('sync.status', {}, adminA)).toMatchObject({ lastError: null, pendingOutbox: 0 });
  });

  it('puts a round back to the server’s status when the server refuses a step the console took', async () => {
    const late = spec2022({ name: 'late schedule', opensAt: new Date(clock.getTime() + 10 * 60_000).toISOString(), closesAt: new Date(clock.getTime() + 86_400_000).toISOString() });
    const kim = await consoleA.signIn('kim');
    await consoleA.backend.deps.sync.signInsSettled();
    const { id } = await consoleA.call('rounds.create', { spec: late }, kim);
    await consoleA.call('rounds.transition', { id, expectedVersion: 1, action: 'approve' }, adminA);
    expect(await syncNow(consoleA, adminA)).toMatchObject({ state: 'done', result: { accepted: 2 } });
    // Scheduled on the console while the opening was ahead, but sent only after it had passed.
    await consoleA.call('rounds.transition', { id, expectedVersion: 1, action: 'schedule' }, adminA);
    expect((await consoleA.call('rounds.get', { id }, adminA)).status).toBe('scheduled');
    clock = new Date(clock.getTime() + 20 * 60_000);
    adminA = await consoleA.signIn('admin');
    await consoleA.backend.deps.sync.signInsSettled();
    expect(await syncNow(consoleA, adminA)).toMatchObject({ state: 'done', result: { rejected: 1 } });
    const item = (await consoleA.call('sync.outbox', {}, adminA)).find((o) => o.roundId === id && o.type === 'round_transition')!;
    expect(item).toMatchObject({ state: 'rejected', reason: { key: 'lifecycle.opensInPast' } });
    expect((await consoleA.call('rounds.get', { id }, adminA)).status).toBe('approved');
  });

  it("never publishes someone else's proposal in the approver's name, and takes back an approval the server refused", async () => {
    const kim = await consoleA.signIn('kim');
    await consoleA.backend.deps.sync.signInsSettled();
    const own = spec2022({ name: 'kim round' });
    const { id } = await consoleA.call('rounds.create', { spec: own }, kim);
    // Before this console syncs, someone puts another proposal on the server for the same round and version, by hand.
    const mallory = await server.user('mallory', 'official');
    expect((await server.command({ type: 'propose_round', roundId: id, version: 1, spec: { ...own, discountBp: 1_500 } }, mallory)).result).toMatchObject({ status: 'accepted' });
    await consoleA.call('rounds.transition', { id, expectedVersion: 1, action: 'approve' }, adminA);
    const job = await syncNow(consoleA, adminA);
    expect(job, JSON.stringify(job.error)).toMatchObject({ state: 'done', result: { rejected: 2 } });
    const outbox = (await consoleA.call('sync.outbox', {}, adminA)).filter((o) => o.roundId === id);
    expect(outbox.map((o) => [o.type, o.state, o.reason?.key])).toEqual(
      expect.arrayContaining([
        ['propose_round', 'rejected', 'sync.versionConflict'],
        ['publish_round', 'rejected', 'sync.versionConflict'],
      ]),
    );
    expect(await server.sdb.db.selectFrom('events').select('seq').where('round_id', '=', id).execute()).toEqual([]);
    // The console's approval did not take effect: the round is a draft again, and its version cannot be approved
    // again (its number is taken on the server); a new version is proposed instead.
    const round = await consoleA.call('rounds.get', { id }, adminA);
    expect(round).toMatchObject({ status: 'draft', approvedVersion: null, allowedActions: [] });
    expect(await consoleA.fail('rounds.transition', { id, expectedVersion: 1, action: 'approve' }, adminA)).toMatchObject({ key: 'lifecycle.refusedByServer' });
    expect((await consoleA.call('sync.status', {}, adminA)).chainStatus).toBe('ok');
  });

  it('forgets every user’s server token when the console is connected to another server', async () => {
    const { h, admin } = await consoleWith();
    const kim = await consoleUser(h, admin, 'kim', 'official');
    expect(await userToken(h.backend.deps.db, h.backend.deps.userKeys, kim.id)).not.toBeNull();
    // Another address (the same server here, but the console cannot know): no token of the first may go there.
    await h.call('sync.connect', { serverUrl: server.url.replace('127.0.0.1', 'localhost'), username: 'admin', password: 'admin-password-1' }, admin);
    expect(await userToken(h.backend.deps.db, h.backend.deps.userKeys, kim.id)).toBeNull();
    expect(await h.call('sync.status', {}, kim.session)).toMatchObject({ serverIdentity: { signedIn: false } });
    await h.close();
  });

  it('retries a command with backoff while the server is unreachable, and stays usable', async () => {
    const { h, admin } = await consoleWith();
    await h.backend.deps.db.updateTable('sync_state').set({ server_url: 'http://127.0.0.1:9' }).execute();
    const { id } = await h.call('rounds.create', { spec }, admin);
    const job = await syncNow(h, admin);
    expect(job).toMatchObject({ state: 'failed', error: { key: 'sync.offline' } });
    const [item] = await h.call('sync.outbox', {}, admin);
    expect(item).toMatchObject({ type: 'propose_round', state: 'pending', attempts: 1, lastError: { key: 'sync.offline' } });
    expect(Date.parse(item!.nextAttemptAt) - Date.parse(item!.createdAt)).toBeGreaterThanOrEqual(5_000);
    expect(await h.call('sync.status', {}, admin)).toMatchObject({ pendingOutbox: 1, lastError: { key: 'sync.offline' } });
    // The console still works offline.
    expect((await h.call('rounds.get', { id }, admin)).status).toBe('draft');
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

describe("the server's two-person amount on every console", () => {
  it('is taken at sync, so a clerk on another console holds a larger request for a second person before sending it', async () => {
    const { h, admin } = await consoleWith();
    const clerk = await consoleUser(h, admin, 'mapo', 'clerk', '11440');
    expect(await h.call('refunds.settings', {}, clerk.session)).toEqual({ countersignAbove: null });
    // Set on the server by an administrator elsewhere (another console's command, made by hand here).
    expect((await server.command({ type: 'set_refund_threshold', amount: 50_000 }, serverAdmin)).result).toMatchObject({ status: 'accepted' });
    try {
      expect(await syncNow(h, admin)).toMatchObject({ state: 'done' });
      expect(await h.call('refunds.settings', {}, clerk.session)).toEqual({ countersignAbove: 50_000 });
      const lot = await h.backend.deps.db
        .selectFrom('lots')
        .select(['lot_id', 'paid'])
        .where('district_code', '=', '11440')
        .where('used', '=', 0)
        .where('status', '=', 'active')
        .where('paid', '>', 50_000)
        .executeTakeFirstOrThrow();
      const taken = await h.call('refunds.request', { lotId: lot.lot_id, reasonCode: 'buyer_request' }, clerk.session);
      expect(taken).toMatchObject({ awaitingSecond: true });
      expect(await syncNow(h, admin)).toMatchObject({ state: 'done', result: { pushed: 0 } });
    } finally {
      await server.command({ type: 'set_refund_threshold', amount: null }, serverAdmin);
      await h.close();
    }
  });
});
