import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../shared/node/audit/chain.js';
import { rewriteAuditLog } from '../support/audit-tamper.js';
import { Harness } from '../support/backend-harness.js';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

let server: ServerHarness;
let serverAdmin: string;
let n = 0;

beforeAll(async () => {
  // The consoles' harness clock: the server refuses commands sent from a clock far from its own.
  server = await ServerHarness.start({ now: () => new Date('2026-03-02T00:00:00.000Z') });
  serverAdmin = await server.user('root', 'admin');
});
afterAll(async () => {
  await server?.close();
});

const syncNow = (h: Harness, session: string) => h.sync(session);

/** A console connected to the server with an official's account, its admin signed in, a few audited actions done, synced. */
async function syncedConsole(): Promise<{ h: Harness; admin: string }> {
  const h = await Harness.start();
  const admin = await h.admin();
  const account = `hall-${++n}`;
  await server.user(account, 'official');
  await h.call('sync.connect', { serverUrl: server.url, username: account, password: `${account}-password-1` }, admin);
  // Users are made on the server first, by the console administrator's own server account.
  await serverIdentity(h, 'admin', 'admin');
  for (const name of ['kim', 'lee', 'park']) await h.user(admin, name, 'analyst');
  expect(await syncNow(h, admin)).toMatchObject({ state: 'done' });
  return { h, admin };
}

/** Gives a console user the same account on the server and signs them in again, so their commands go out as themselves. */
const onServer = new Set<string>();
async function serverIdentity(h: Harness, username: string, role: 'admin' | 'official'): Promise<void> {
  // A user the console made is on the server already (made there first).
  const made = await server.sdb.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
  if (!onServer.has(username) && !made) await server.user(username, role, null, `${username}-password-1`);
  onServer.add(username);
  await h.signIn(username);
  await h.backend.deps.sync.signInsSettled();
}

async function consoleIdOf(h: Harness): Promise<string> {
  return (await h.backend.ledger.db.selectFrom('console_identity').select('console_id').executeTakeFirstOrThrow()).console_id;
}

describe('audit log anchored on the server', () => {
  it('sends the audit head with every sync and verifies the log against it', async () => {
    const { h, admin } = await syncedConsole();
    const consoleId = await consoleIdOf(h);
    const head = await h.backend.ledger.db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    const anchors = (await server.get(`/api/audit/anchors?consoleId=${consoleId}`, serverAdmin)).body as { anchors: { seq: number; hash: string; username: string }[] };
    expect(anchors.anchors.at(-1)).toMatchObject({ seq: head.seq, hash: head.hash, username: 'hall-1' });
    const verified = await h.call('audit.verify', {}, admin);
    expect(verified).toMatchObject({ ok: true, verdict: 'ok', chain: { ok: true, checked: head.seq }, anchor: { state: 'matched', seq: head.seq } });
    // Verified after the sync without anyone clicking, and shown to every role.
    expect(await h.call('audit.status', {}, admin)).toMatchObject({ verdict: 'ok' });
    await h.close();
  });

  it('reports a rewritten history whose chain was recomputed, naming the anchored entry', async () => {
    const { h, admin } = await syncedConsole();
    rewriteAuditLog(h.backend.ledger.sqlite, `update audit_log set details = '{"username":"mallory"}' where action = 'user.create' and details like '%"lee"%'`);
    // The local chain alone no longer notices.
    expect(await verifyAuditChain(h.backend.ledger.db)).toMatchObject({ ok: true });
    const verified = await h.call('audit.verify', {}, admin);
    expect(verified).toMatchObject({ ok: false, verdict: 'tampered', chain: { ok: true }, anchor: { state: 'mismatch' } });
    const anchors = (await server.get(`/api/audit/anchors?consoleId=${verified.consoleId}`, serverAdmin)).body as { anchors: { seq: number; receivedAt: string }[] };
    expect(verified.anchor).toMatchObject({ seq: anchors.anchors[0]!.seq, anchoredAt: anchors.anchors[0]!.receivedAt });
    // The next sync states the rewritten head at an anchored seq, or beyond it; either way the banner stays.
    await syncNow(h, admin);
    expect(await h.call('audit.status', {}, admin)).toMatchObject({ verdict: 'tampered', anchor: { state: 'mismatch' } });
    await h.close();
  });

  it('keeps reporting a rewrite after new entries are written and anchored on top of it, with the checks after each sync', async () => {
    const { h, admin } = await syncedConsole();
    // Rewritten while the console runs: nobody clicks verify, the checks after the syncs must find it.
    rewriteAuditLog(h.backend.ledger.sqlite, `update audit_log set details = '{"username":"mallory"}' where action = 'user.create' and details like '%"park"%'`);
    await h.user(admin, 'choi', 'analyst');
    expect(await syncNow(h, admin)).toMatchObject({ state: 'done' });
    // The new head (past every earlier anchor) was accepted, yet the anchors before it no longer match.
    expect(await h.call('audit.status', {}, admin)).toMatchObject({ verdict: 'tampered', anchor: { state: 'mismatch' } });
    await h.user(admin, 'jung', 'analyst');
    expect(await syncNow(h, admin)).toMatchObject({ state: 'done' });
    expect(await h.call('audit.status', {}, admin)).toMatchObject({ verdict: 'tampered', anchor: { state: 'mismatch' } });
    await h.close();
  });

  it('reports a history cut at the end, and the server refuses the shorter head', async () => {
    const { h, admin } = await syncedConsole();
    const head = await h.backend.ledger.db.selectFrom('audit_log').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    rewriteAuditLog(h.backend.ledger.sqlite, `delete from audit_log where seq > ${head.seq - 3}`);
    expect(await verifyAuditChain(h.backend.ledger.db)).toMatchObject({ ok: true, checked: head.seq - 3 });
    expect(await h.call('audit.verify', {}, admin)).toMatchObject({ ok: false, verdict: 'tampered', anchor: { state: 'missing', seq: head.seq } });
    // Syncing again sends a head below the anchored one: refused and kept for the administrator.
    await syncNow(h, admin);
    const consoleId = await consoleIdOf(h);
    const seen = (await server.get(`/api/audit/consoles?consoleId=${consoleId}`, serverAdmin)).body as { consoles: { lastSeq: number }[]; conflicts: { reason: string; heldSeq: number }[] };
    expect(seen.consoles).toMatchObject([{ lastSeq: head.seq }]);
    expect(seen.conflicts).toMatchObject([{ reason: 'backwards', heldSeq: head.seq }]);
    expect(await h.call('audit.status', {}, admin)).toMatchObject({ verdict: 'tampered', anchor: { state: 'missing', seq: head.seq } });
    await h.close();
  });

  it('says the anchors could not be checked while the server is unreachable, not ok', async () => {
    const { h, admin } = await syncedConsole();
    await h.backend.ledger.db.updateTable('sync_state').set({ server_url: 'http://127.0.0.1:9' }).execute();
    expect(await h.call('audit.verify', {}, admin)).toMatchObject({ ok: false, verdict: 'unverified', chain: { ok: true }, anchor: { state: 'unreachable', error: { key: 'sync.offline' } } });
    await h.close();
  });
});

describe('the server judges anchors', () => {
  const consoleId = '6f1c1c52-2b5e-4a4c-9a53-0e7d3a1f0c11';
  const hex = (c: string) => c.repeat(64);
  let clerk: string;
  beforeAll(async () => {
    clerk = await server.user('clerk-anchor', 'clerk', '11440');
  });

  it('keeps every head, refuses one that goes back or restates an anchored seq, and lists the refusals for an administrator', async () => {
    expect(await server.post('/api/audit/anchors', { consoleId, seq: 5, hash: hex('a') }, clerk)).toMatchObject({ status: 200, body: { seq: 5, known: false } });
    expect(await server.post('/api/audit/anchors', { consoleId, seq: 5, hash: hex('a') }, clerk)).toMatchObject({ status: 200, body: { seq: 5, known: true } });
    expect(await server.post('/api/audit/anchors', { consoleId, seq: 9, hash: hex('b') }, clerk)).toMatchObject({ status: 200, body: { known: false } });
    const back = await server.post('/api/audit/anchors', { consoleId, seq: 7, hash: hex('c') }, clerk);
    expect(back).toMatchObject({ status: 409, body: { error: { key: 'anchor.backwards', params: { seq: 7, heldSeq: 9 } } } });
    const other = await server.post('/api/audit/anchors', { consoleId, seq: 9, hash: hex('d') }, clerk);
    expect(other).toMatchObject({ status: 409, body: { error: { key: 'anchor.hashDiffers', params: { seq: 9, heldSeq: 9 } } } });
    // An anchored seq restated with its own hash after the head moved on is still a step back.
    expect(await server.post('/api/audit/anchors', { consoleId, seq: 5, hash: hex('a') }, clerk)).toMatchObject({ status: 409, body: { error: { key: 'anchor.backwards' } } });

    const mine = (await server.get(`/api/audit/anchors?consoleId=${consoleId}`, clerk)).body as { anchors: Record<string, unknown>[] };
    expect(mine.anchors.map((a) => [a.seq, a.hash])).toEqual([[5, hex('a')], [9, hex('b')]]);
    expect(mine.anchors[0]).not.toHaveProperty('username');
    expect((await server.get(`/api/audit/consoles?consoleId=${consoleId}`, clerk)).status).toBe(403);
    const seen = (await server.get(`/api/audit/consoles?consoleId=${consoleId}`, serverAdmin)).body as { conflicts: Record<string, unknown>[] };
    expect(seen.conflicts.map((c) => [c.reason, c.seq, c.heldSeq, c.username])).toEqual([
      ['backwards', 5, 9, 'clerk-anchor'],
      ['hashDiffers', 9, 9, 'clerk-anchor'],
      ['backwards', 7, 9, 'clerk-anchor'],
    ]);
  });

  it('accepts exactly one of many different hashes sent at once for the same seq', async () => {
    const id = '0b6c1e8e-8d7f-4e0a-b7a1-6a2f3c4d5e60';
    const replies = await Promise.all('0123456789abcdef'.split('').map((c) => server.post('/api/audit/anchors', { consoleId: id, seq: 3, hash: hex(c) }, clerk)));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(15);
  });

  it('refuses bad anchors with a message naming the field, and anonymous callers', async () => {
    for (const bad of [{ consoleId, seq: 0, hash: hex('a') }, { consoleId, seq: 1, hash: 'zz' }, { consoleId: 'console-1', seq: 1, hash: hex('a') }, { consoleId, seq: 1, hash: hex('a'), extra: 1 }]) {
      const r = await server.post('/api/audit/anchors', bad, clerk);
      expect(r.status).toBe(400);
      expect((r.body as { error: { key: string } }).error.key).toBe('errors.invalid_input');
    }
    expect((await server.post('/api/audit/anchors', { consoleId, seq: 1, hash: hex('a') })).status).toBe(401);
    expect((await server.get(`/api/audit/anchors?consoleId=${consoleId}`)).status).toBe(401);
  });
});

describe('audit entries for the server connection, its answers and repairs', () => {
  const entries = async (h: Harness, admin: string, action: string) => (await h.call('audit.list', { limit: 1000 }, admin)).filter((e) => e.action === action);

  it('records connect and disconnect with who did it', async () => {
    const { h, admin } = await syncedConsole();
    expect(await entries(h, admin, 'server.connect')).toMatchObject([{ actorName: '관리자', entityType: 'server', entityId: null, details: { serverUrl: server.url, username: `hall-${n}`, serverRole: 'official' } }]);
    await h.call('sync.disconnect', {}, admin);
    expect(await entries(h, admin, 'server.disconnect')).toMatchObject([{ actorName: '관리자', details: { serverUrl: server.url, username: `hall-${n}` } }]);
    await h.close();
  });

  it("records the server's accept and reject answers to outbox commands", async () => {
    const { h, admin } = await syncedConsole();
    const kim = await h.user(admin, 'kim2', 'official');
    await serverIdentity(h, 'kim2', 'official');
    await serverIdentity(h, 'admin', 'admin');
    const { id: roundId } = await h.call('rounds.create', { spec: spec2022() }, kim.session);
    await h.call('rounds.transition', { id: roundId, expectedVersion: 1, action: 'approve' }, admin);
    const outbox = await h.call('sync.outbox', {}, admin);
    const proposed = outbox.find((o) => o.type === 'propose_round')!;
    const published = outbox.find((o) => o.type === 'publish_round')!;
    const refund = { type: 'approve_refund' as const, commandId: 'refund-unknown-lot', roundId, lotId: 'no-such-lot', kind: 'cancel' as const, amount: 1000, requestedAt: '2026-03-02T00:00:00.000Z' };
    await h.backend.deps.sync.enqueue(h.backend.deps.db, refund, kim.id);
    await syncNow(h, admin);
    const answers = await entries(h, admin, 'server.commandAnswer');
    expect(answers.map((e) => e.details).reverse()).toEqual([
      { commandId: proposed.commandId, type: 'propose_round', status: 'accepted', reasonKey: null, serverSeq: null },
      { commandId: published.commandId, type: 'publish_round', status: 'accepted', reasonKey: null, serverSeq: 1 },
      { commandId: 'refund-unknown-lot', type: 'approve_refund', status: 'rejected', reasonKey: 'ledger.unknownLot', serverSeq: null },
    ]);
    expect(answers[0]).toMatchObject({ actorId: 'server', entityType: 'command', entityId: 'refund-unknown-lot' });
    // The head that was anchored includes those answers, and verifies.
    expect(await h.call('audit.status', {}, admin)).toMatchObject({ verdict: 'ok' });
    await h.close();
  });

  it('records a repair of synced history with what was cut', async () => {
    const { h, admin } = await syncedConsole();
    const kim = await h.user(admin, 'kim3', 'official');
    await serverIdentity(h, 'kim3', 'official');
    await serverIdentity(h, 'admin', 'admin');
    const { id: roundId } = await h.call('rounds.create', { spec: spec2022({ name: 'repair test' }) }, kim.session);
    await h.call('rounds.transition', { id: roundId, expectedVersion: 1, action: 'approve' }, admin);
    await syncNow(h, admin);
    const head = (await server.get('/api/head', serverAdmin)).body as { seq: number; hash: string };
    expect(head.seq).toBeGreaterThan(0);
    expect((await h.call('sync.status', {}, admin)).lastSeq).toBe(head.seq);
    const job = await h.call('sync.repair', { fromSeq: 1 }, admin);
    for (let i = 0; i < 2_000 && (await h.call('jobs.get', { id: job.id }, admin)).state === 'running'; i++) await new Promise((r) => setTimeout(r, 10));
    const [repair] = await entries(h, admin, 'server.repair');
    expect(repair).toMatchObject({ actorName: '관리자', details: { fromSeq: 1, lastSeqBefore: head.seq, lastHashBefore: head.hash, lastSeqAfter: 0 } });
    const cut = repair!.details as { ledgerEventsCut: number; publicationsCut: number };
    expect(cut.ledgerEventsCut + cut.publicationsCut).toBe(head.seq);
    await h.close();
  });
});
