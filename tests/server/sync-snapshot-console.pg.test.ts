import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Role } from '../../shared/common/roles.js';
import { translate } from '../../shared/i18n/index.js';
import { SyncError } from '../../shared/node/sync/sync-error.js';
import { SyncClient } from '../../shared/node/sync/client.js';
import { ledgerIsEmpty } from '../../shared/node/sync/snapshot-tables.js';
import { manifestText, SNAPSHOT_KEY_HEADER, SNAPSHOT_MANIFEST_HEADER, SNAPSHOT_SIGNATURE_HEADER, type SnapshotManifest } from '../../shared/sync/snapshot-wire.js';
import { Harness } from '../support/backend-harness.js';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';
import { syncedState } from '../support/sync-history.js';

/**
 * A console's first sync from the server's snapshot, against one synced by
 * replaying the log: the same state for every scope; a tampered snapshot
 * refused with nothing kept; the pull going on from the snapshot's sequence.
 */
let server: ServerHarness;
let serverAdmin: string;
const GANGNAM = '11680';
const roundId = 'round-first-sync';
const spec = spec2022({ paymentMethods: ['bank_transfer', 'debit_card'] });
let clock = new Date(Date.parse(spec.opensAt) - 3_600_000);
const consoles: Harness[] = [];

beforeAll(async () => {
  server = await ServerHarness.start({ snapshotRebuildAfter: 1_000_000 });
  const staff = await server.staff();
  serverAdmin = staff.admin;
  await server.openSale(roundId, spec, staff, new Date(Date.parse(spec.opensAt) + 3_600_000), { purchases: 300, seed: 21, usesShare: 0.5 });
  clock = server.now();
  for (const [u, role, d] of [['gangnam', 'clerk', GANGNAM], ['ana', 'analyst', null]] as const) await server.user(u, role, d, `${u}-password-1`);
  // Built at this head; what comes after reaches a console by the pull.
  await Promise.all([{ kind: 'all' as const }, { kind: 'district' as const, districtCode: GANGNAM }, { kind: 'none' as const }].map((sc) => server.snapshots.rebuild(sc)));
  expect((await server.post('/api/feed/sale', { roundId, purchases: 40, seed: 22, usesShare: 0.5 }, serverAdmin)).status).toBe(200);
});
afterAll(async () => {
  for (const h of consoles) await h.close();
  await server?.close();
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
});

const dataDirs: string[] = [];
/** A fresh console connected with `account` (whose role and district decide what it reads); on disk, as a console is, unless `inMemory`. */
async function consoleAs(account: string, inMemory = false): Promise<{ h: Harness; admin: string }> {
  const dataDir = inMemory ? ':memory:' : mkdtempSync(join(tmpdir(), 'ic-first-sync-'));
  if (!inMemory) dataDirs.push(dataDir);
  const h = await Harness.start(() => clock, dataDir);
  consoles.push(h);
  const admin = await h.admin();
  await h.call('sync.connect', { serverUrl: server.url, username: account, password: `${account}-password-1` }, admin);
  return { h, admin };
}

const state = (h: Harness) => syncedState(h.backend.deps.sqlite);

type SyncJob = Awaited<ReturnType<Harness['sync']>>;
const pulled = (j: SyncJob) => (j.result as { pulled: number; lastSeq: number }).pulled;

describe('first sync from the server snapshot', () => {
  for (const [account, role] of [['admin', 'admin'], ['gangnam', 'clerk'], ['ana', 'analyst']] as [string, Role][]) {
    it(`leaves a ${role}'s console as replaying the whole log does, then pulls on from the snapshot's sequence`, async () => {
      const head = (await server.get('/api/head', serverAdmin)).body as { seq: number };
      const bySnapshot = await consoleAs(account);
      const own = bySnapshot.h.backend.deps.sqlite;
      const usersBefore = own.prepare('select id, username, role from users order by id').all();
      const auditBefore = own.prepare('select count(*) from audit_log').pluck().get() as number;
      expect(auditBefore).toBeGreaterThan(0);
      const snap = vi.spyOn(SyncClient.prototype, 'snapshot');
      const a = await bySnapshot.h.sync(bySnapshot.admin);
      expect(a.state, JSON.stringify(a.error)).toBe('done');
      expect(snap).toHaveBeenCalledTimes(1);
      snap.mockRestore();
      // Only the events after the snapshot came by pages.
      expect(pulled(a)).toBeLessThan(head.seq - 250);
      expect(pulled(a)).toBeGreaterThan(0);

      // The console's own rows came through the swap: its administrator, its connection, its audit trail.
      expect(own.prepare('select id, username, role from users order by id').all()).toEqual(expect.arrayContaining(usersBefore));
      expect(own.prepare('select server_url, username from sync_state').get()).toEqual({ server_url: server.url, username: account });
      expect(own.prepare('select count(*) from audit_log').pluck().get()).toBeGreaterThanOrEqual(auditBefore);
      expect(own.pragma('journal_mode', { simple: true })).toBe('wal');
      // Nothing of the download is left beside the ledger.
      expect(readdirSync(dirname(own.name)).filter((f) => /\.(part|swap)/.test(f))).toEqual([]);

      const byReplay = await consoleAs(account, true);
      const noSnapshot = vi.spyOn(SyncClient.prototype, 'snapshot').mockResolvedValue(null);
      const b = await byReplay.h.sync(byReplay.admin);
      noSnapshot.mockRestore();
      expect(b.state, JSON.stringify(b.error)).toBe('done');
      expect(pulled(b)).toBe(head.seq);

      const [x, y] = [state(bySnapshot.h), state(byReplay.h)];
      expect(x.cursor).toEqual([[head.seq, expect.any(String)]]);
      for (const t of Object.keys(y)) expect(x[t], t).toEqual(y[t]);
      if (role !== 'analyst') expect(x.lots!.length).toBeGreaterThan(5);
      // The chain from the snapshot on is the server's.
      expect((await bySnapshot.h.call('sync.status', {}, bySnapshot.admin)).chainStatus).toBe('ok');
    });
  }
});

/** The real reply's file and headers, to tamper with. */
async function realSnapshot(): Promise<{ bytes: Buffer; headers: Headers; manifest: SnapshotManifest }> {
  const res = await fetch(`${server.url}/api/sync/snapshot`, { headers: { authorization: `Bearer ${serverAdmin}` } });
  const bytes = Buffer.from(await res.arrayBuffer());
  const manifest = JSON.parse(Buffer.from(res.headers.get(SNAPSHOT_MANIFEST_HEADER)!, 'base64').toString()) as SnapshotManifest;
  return { bytes, headers: res.headers, manifest };
}

/** The snapshot file with one lot's balance changed, still a valid database. */
function withChangedBalance(bytes: Buffer): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'ic-tamper-'));
  const file = join(dir, 'snap.sqlite');
  writeFileSync(file, bytes);
  const db = new BetterSqlite3(file);
  expect(db.prepare("update lots set used = used + 1000 where rowid = (select min(rowid) from lots where status = 'active')").run().changes).toBe(1);
  db.close();
  return readFileSync(file);
}

describe("a console whose applier's thread holds the ledger open", () => {
  it('still takes the snapshot, its swap done beside the idle thread\'s open connection', async () => {
    const head = (await server.get('/api/head', serverAdmin)).body as { seq: number };
    const c = await consoleAs('admin');
    // A first sync that replays, and whose first page never comes: the applier's thread started (it read the
    // cursor) and keeps its connection open, while the ledger holds nothing synced yet.
    const noSnapshot = vi.spyOn(SyncClient.prototype, 'snapshot').mockResolvedValue(null);
    const noPage = vi.spyOn(SyncClient.prototype, 'pageBytes').mockRejectedValue(new SyncError('sync.offline'));
    const a = await c.h.sync(c.admin);
    noSnapshot.mockRestore();
    noPage.mockRestore();
    expect(a.state).toBe('failed');
    // The next sync takes the snapshot; its swap switches the journal to a rollback one and back while the
    // thread's connection stays open (idle): that works, and the pull after it goes through the same thread.
    const snap = vi.spyOn(SyncClient.prototype, 'snapshot');
    const b = await c.h.sync(c.admin);
    expect(b.state, JSON.stringify(b.error)).toBe('done');
    expect(snap).toHaveBeenCalledTimes(1);
    snap.mockRestore();
    expect(pulled(b)).toBeLessThan(head.seq - 250);
    const own = c.h.backend.deps.sqlite;
    expect(own.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(own.prepare('select last_seq from sync_state').pluck().get()).toBe(head.seq);
  });
});

describe('a tampered snapshot', () => {
  const cases: [string, (real: Awaited<ReturnType<typeof realSnapshot>>) => Response, string][] = [
    ['a changed balance', (r) => new Response(withChangedBalance(r.bytes), { status: 200, headers: r.headers }), 'syncSnapshot.digestMismatch'],
    ['a truncated file', (r) => new Response(r.bytes.subarray(0, r.bytes.length - 4096), { status: 200, headers: r.headers }), 'syncSnapshot.sizeMismatch'],
    [
      'a manifest from another sequence',
      (r) => {
        const h = new Headers(r.headers);
        h.set(SNAPSHOT_MANIFEST_HEADER, Buffer.from(manifestText({ ...r.manifest, seq: r.manifest.seq - 1 })).toString('base64'));
        return new Response(r.bytes, { status: 200, headers: h });
      },
      'syncSnapshot.badSignature',
    ],
  ];
  for (const [what, tamper, key] of cases) {
    it(`is refused for ${what} with a clear message and nothing kept; the next sync takes the real one`, async () => {
      const real = await realSnapshot();
      const { h, admin } = await consoleAs('admin');
      const spy = vi.spyOn(SyncClient.prototype, 'snapshot').mockResolvedValue(tamper(real));
      const failed = await h.sync(admin);
      spy.mockRestore();
      expect(failed.state).toBe('failed');
      expect(failed.error?.key).toBe(key);
      // Shown by key in Korean: what is wrong, and that nothing was kept.
      expect(translate('ko', key, failed.error?.params)).toMatch(/스냅숏.*아무것도 반영하지 않았습니다$/);
      expect(ledgerIsEmpty(h.backend.deps.sqlite)).toBe(true);
      const status = await h.call('sync.status', {}, admin);
      expect(status.lastSeq).toBe(0);
      expect(status.lastError?.key).toBe(key);
      const ok = await h.sync(admin);
      expect(ok.state, JSON.stringify(ok.error)).toBe('done');
      expect(pulled(ok)).toBeLessThan((ok.result as { lastSeq: number }).lastSeq);
    });
  }
});

describe('the pinned snapshot key', () => {
  it("pins the server's key at the first snapshot, and refuses one signed by another key with a clear message and nothing kept", async () => {
    const real = await realSnapshot();
    const serverKey = Buffer.from(real.headers.get(SNAPSHOT_KEY_HEADER)!, 'base64').toString();
    const { h, admin } = await consoleAs('admin');
    const own = h.backend.deps.sqlite;
    expect(own.prepare('select snapshot_key from sync_state').pluck().get()).toBeNull();
    // The same manifest and file, signed by a key of someone else's (a server in the middle, say).
    const other = generateKeyPairSync('ed25519');
    const forged = new Headers(real.headers);
    forged.set(SNAPSHOT_SIGNATURE_HEADER, sign(null, Buffer.from(manifestText(real.manifest)), other.privateKey).toString('base64'));
    forged.set(SNAPSHOT_KEY_HEADER, Buffer.from(other.publicKey.export({ type: 'spki', format: 'pem' }).toString()).toString('base64'));
    // Pinned as configured (the key the server's data folder holds), before any snapshot came.
    own.prepare('update sync_state set snapshot_key = ?').run(serverKey);
    const spy = vi.spyOn(SyncClient.prototype, 'snapshot').mockResolvedValue(new Response(real.bytes, { status: 200, headers: forged }));
    const failed = await h.sync(admin);
    spy.mockRestore();
    expect(failed.state).toBe('failed');
    expect(failed.error?.key).toBe('syncSnapshot.otherKey');
    expect(translate('ko', 'syncSnapshot.otherKey')).toMatch(/다른 키로 서명.*아무것도 반영하지 않았습니다$/);
    expect(ledgerIsEmpty(own)).toBe(true);
    expect(readdirSync(dirname(own.name)).filter((f) => /\.(part|swap)/.test(f))).toEqual([]);
    // Unpinned, the first snapshot pins the key it came with; the real server's is kept through the swap.
    own.prepare('update sync_state set snapshot_key = null').run();
    const ok = await h.sync(admin);
    expect(ok.state, JSON.stringify(ok.error)).toBe('done');
    const pinned = own.prepare('select snapshot_key from sync_state').pluck().get() as string;
    expect(createPublicKey(pinned).export({ type: 'spki', format: 'der' })).toEqual(createPublicKey(serverKey).export({ type: 'spki', format: 'der' }));
  });
});


describe("a snapshot at the server's head", () => {
  it('is the whole first sync: no page is asked for after it, so the applier\'s thread is not started for nothing', async () => {
    await server.snapshots.rebuild({ kind: 'all' });
    const head = (await server.get('/api/head', serverAdmin)).body as { seq: number };
    const c = await consoleAs('admin');
    const pages = [vi.spyOn(SyncClient.prototype, 'pageBytes'), vi.spyOn(SyncClient.prototype, 'page')];
    const b = await c.h.sync(c.admin);
    expect(b.state, JSON.stringify(b.error)).toBe('done');
    for (const p of pages) expect(p).not.toHaveBeenCalled();
    for (const p of pages) p.mockRestore();
    expect(pulled(b)).toBe(0);
    const own = c.h.backend.deps.sqlite;
    expect(own.prepare('select last_seq, head_seq from sync_state').get()).toEqual({ last_seq: head.seq, head_seq: head.seq });
    expect((await c.h.call('sync.status', {}, c.admin)).chainStatus).toBe('ok');
    // The next event reaches it by the pull, through the thread as before.
    expect((await server.post('/api/feed/sale', { roundId, purchases: 1, seed: 23, usesShare: 0 }, serverAdmin)).status).toBe(200);
    const next = await c.h.sync(c.admin);
    expect(next.state, JSON.stringify(next.error)).toBe('done');
    expect(pulled(next)).toBeGreaterThan(0);
  });
});
