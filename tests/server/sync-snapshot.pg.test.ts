import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_KEY_HEADER, SNAPSHOT_MANIFEST_HEADER, SNAPSHOT_SIGNATURE_HEADER, type SnapshotManifest } from '../../shared/sync/snapshot-wire.js';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

/** The first-sync snapshot per read scope, read with hand-made requests and opened as a file. */
let s: ServerHarness;
let admin: string;
let clerk: string;
let analyst: string;
const GANGNAM = '11680';
const roundId = 'round-snap';
const dir = mkdtempSync(join(tmpdir(), 'ic-snapshot-test-'));

beforeAll(async () => {
  s = await ServerHarness.start({ snapshotRebuildAfter: 50 });
  const staff = await s.staff();
  admin = staff.admin;
  clerk = await s.user('gangnam', 'clerk', GANGNAM);
  analyst = await s.user('ana', 'analyst');
  const spec = spec2022({ paymentMethods: ['bank_transfer', 'debit_card'] });
  await s.openSale(roundId, spec, staff, new Date(Date.parse(spec.opensAt) + 3_600_000), { purchases: 400, seed: 5, usesShare: 0.5 });
});
afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function download(token: string, headers: Record<string, string> = {}) {
  return fetch(`${s.url}/api/sync/snapshot`, { headers: { authorization: `Bearer ${token}`, ...headers } });
}

/** The snapshot of `token`'s scope, waiting for the build the first request starts; saved to a file. */
async function snapshotOf(token: string, name: string): Promise<{ file: string; bytes: Buffer; manifest: SnapshotManifest; res: Response }> {
  let res = await download(token);
  if (res.status === 404) {
    expect(((await res.json()) as { error: { key: string } }).error.key).toBe('syncSnapshot.notReady');
    await s.snapshots.idle();
    res = await download(token);
  }
  expect(res.status).toBe(200);
  const bytes = Buffer.from(await res.arrayBuffer());
  const manifest = JSON.parse(Buffer.from(res.headers.get(SNAPSHOT_MANIFEST_HEADER)!, 'base64').toString('utf8')) as SnapshotManifest;
  const file = join(dir, `${name}.sqlite`);
  writeFileSync(file, bytes);
  return { file, bytes, manifest, res };
}

async function serverLots() {
  return s.sdb.db.selectFrom('lots').select(['lot_id', 'buyer_id', 'holder_id', 'district_code']).execute();
}

/** Whether `id` is written anywhere in the file's bytes as a whole id (lot-…-1 is not found inside lot-…-12). */
const holds = (bytes: Buffer, id: string) => new RegExp(`${id.replace(/[-.]/g, '\\$&')}(?![0-9A-Za-z])`).test(bytes.toString('latin1'));

const rows = (file: string, q: string) => {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return db.prepare(q).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
};

/** The sequences a file holds as digests only: one row each, or a run folded into one link. */
function heldAsDigests(file: string): number[] {
  const seqs = rows(file, 'select seq from redacted_events').map((r) => r.seq as number);
  for (const r of rows(file, 'select from_seq, seq from redacted_ranges')) for (let q = r.from_seq as number; q <= (r.seq as number); q++) seqs.push(q);
  return seqs.sort((a, b) => a - b);
}

describe('GET /api/sync/snapshot', () => {
  it('refuses a request without a token', async () => {
    const res = await fetch(`${s.url}/api/sync/snapshot`);
    expect(res.status).toBe(401);
    await res.arrayBuffer();
  });

  it("gives a clerk a file holding their district's lots, events and buyers, and of every other district only digests", async () => {
    const { file, bytes, manifest } = await snapshotOf(clerk, 'clerk');
    expect(manifest.scope).toBe(`district:${GANGNAM}`);
    const lots = await serverLots();
    const inside = lots.filter((l) => l.district_code === GANGNAM);
    const outside = lots.filter((l) => l.district_code !== GANGNAM);
    expect(inside.length).toBeGreaterThan(5);
    expect(outside.length).toBeGreaterThan(inside.length);
    // Not one id of another district anywhere in the file's bytes (tables, indexes, free pages alike).
    for (const l of outside) for (const id of [l.lot_id, l.buyer_id]) expect(holds(bytes, id), id).toBe(false);
    for (const l of inside) expect(holds(bytes, l.lot_id), l.lot_id).toBe(true);
    expect(rows(file, 'select lot_id from lots order by lot_id').map((r) => r.lot_id)).toEqual(inside.map((l) => l.lot_id).sort());
    expect(rows(file, 'select distinct district_code from ledger_events').map((r) => r.district_code)).toEqual([GANGNAM]);
    const serverEvents = await s.sdb.db.selectFrom('events').select(['seq', 'district_code', 'lot_id']).execute();
    const lotEvents = serverEvents.filter((e) => e.lot_id !== null);
    expect(rows(file, 'select count(*) as n from ledger_events')[0]!.n).toBe(lotEvents.filter((e) => e.district_code === GANGNAM).length);
    // Every other district's event held as a digest, alone or in a run folded into one link (migration 0043), and only those.
    expect(heldAsDigests(file)).toEqual(lotEvents.filter((e) => e.district_code !== GANGNAM).map((e) => Number(e.seq)).sort((a, b) => a - b));
    expect(rows(file, 'select count(*) as n from redacted_ranges')[0]!.n).toBeGreaterThan(0);
    const buyers = new Set(inside.flatMap((l) => [l.buyer_id, l.holder_id]));
    const listed = rows(file, 'select buyer_id from report_buyers').map((r) => r.buyer_id as string);
    expect(listed.length).toBeGreaterThan(0);
    for (const b of listed) expect(buyers.has(b), b).toBe(true);
    // Nothing of a console's own: no users, no outbox, no server connection.
    expect(rows(file, 'select id from users')).toEqual([{ id: 'server' }]); // the author of rounds from the server, made by migration 0004
    expect(rows(file, 'select server_url, last_seq from sync_state')).toEqual([{ server_url: null, last_seq: manifest.seq }]);
  });

  it('gives an analyst what the log gives them: rounds, and every lot event as a digest', async () => {
    const { file, bytes } = await snapshotOf(analyst, 'analyst');
    for (const l of await serverLots()) for (const id of [l.lot_id, l.buyer_id]) expect(holds(bytes, id), id).toBe(false);
    expect(rows(file, 'select count(*) as n from lots')[0]!.n).toBe(0);
    expect(rows(file, 'select count(*) as n from ledger_events')[0]!.n).toBe(0);
    expect(rows(file, 'select count(*) as n from report_buyers')[0]!.n).toBe(0);
    expect(rows(file, 'select id, status from rounds')).toEqual([{ id: roundId, status: 'on_sale' }]);
    const lotEvents = await s.sdb.db.selectFrom('events').select('seq').where('lot_id', 'is not', null).execute();
    expect(heldAsDigests(file)).toEqual(lotEvents.map((e) => Number(e.seq)).sort((a, b) => a - b));
  });

  it("gives an administrator every lot, with the server's balances", async () => {
    const { file } = await snapshotOf(admin, 'admin');
    const server = await s.sdb.db.selectFrom('lots').select(['lot_id', 'used', 'refunded', 'status']).orderBy('lot_id').execute();
    const mine = rows(file, 'select lot_id, used, refunded, status from lots order by lot_id');
    expect(mine).toEqual(server.map((l) => ({ lot_id: l.lot_id, used: Number(l.used), refunded: Number(l.refunded), status: l.status })));
  });

  it('signs a manifest that names the file (SHA-256, size) and the chain head at its sequence', async () => {
    const { file, bytes, manifest, res } = await snapshotOf(clerk, 'clerk2');
    const text = Buffer.from(res.headers.get(SNAPSHOT_MANIFEST_HEADER)!, 'base64');
    const key = createPublicKey(Buffer.from(res.headers.get(SNAPSHOT_KEY_HEADER)!, 'base64').toString('utf8'));
    const signature = Buffer.from(res.headers.get(SNAPSHOT_SIGNATURE_HEADER)!, 'base64');
    expect(verify(null, text, key, signature)).toBe(true);
    expect(verify(null, Buffer.from(text.toString().replace(`"seq":${manifest.seq}`, `"seq":${manifest.seq - 1}`)), key, signature)).toBe(false);
    expect(manifest.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(manifest.bytes).toBe(bytes.length);
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    const chain = (await s.get(`/api/chain?seq=${manifest.seq}`, admin)).body as { hash: string };
    expect(manifest.headHash).toBe(chain.hash);
    expect(rows(file, 'select last_seq, last_hash from sync_state')).toEqual([{ last_seq: manifest.seq, last_hash: manifest.headHash }]);
    expect(readFileSync(file).length).toBe(manifest.bytes);
  });

  it('resumes with Range from a byte, and sends the whole file when If-Range names another one', async () => {
    const { bytes, manifest } = await snapshotOf(clerk, 'clerk3');
    const part = await download(clerk, { range: 'bytes=1000-', 'if-range': `"${manifest.sha256}"` });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-${bytes.length - 1}/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(1000))).toBe(true);
    const other = await download(clerk, { range: 'bytes=1000-', 'if-range': `"${'0'.repeat(64)}"` });
    expect(other.status).toBe(200);
    expect(Buffer.from(await other.arrayBuffer()).equals(bytes)).toBe(true);
    const beyond = await download(clerk, { range: `bytes=${bytes.length + 10}-` });
    expect(beyond.status).toBe(416);
    await beyond.arrayBuffer();
  });

  it('builds a new snapshot in the background once the log grew, serving the last one meanwhile', async () => {
    const before = (await snapshotOf(admin, 'admin-before')).manifest;
    const spec = spec2022({ paymentMethods: ['bank_transfer', 'debit_card'] });
    expect(spec).toBeDefined();
    expect((await s.post('/api/feed/sale', { roundId, purchases: 60, seed: 6, usesShare: 0 }, admin)).status).toBe(200);
    const head = (await s.get('/api/head', admin)).body as { seq: number };
    expect(head.seq - before.seq).toBeGreaterThanOrEqual(50);
    // The old one is still served while the new one builds.
    const during = await download(admin);
    expect(JSON.parse(Buffer.from(during.headers.get(SNAPSHOT_MANIFEST_HEADER)!, 'base64').toString()).seq).toBe(before.seq);
    await during.arrayBuffer();
    await s.snapshots.idle();
    const after = (await snapshotOf(admin, 'admin-after')).manifest;
    expect(after.seq).toBe(head.seq);
  });
});
