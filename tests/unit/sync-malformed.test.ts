import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { basisPointsOf } from '../../shared/common/money.js';
import type { PurchaseEvent } from '../../shared/ledger/events.js';
import { canonicalEvent, chainHash, eventDigest, LOG_GENESIS } from '../../shared/node/chain/log-hash.js';
import { parsePage } from '../../shared/node/sync/client.js';
import type { SyncEvent } from '../../shared/sync/protocol.js';
import type { Envelope } from '../../shared/api/envelope.js';
import { Harness } from '../support/backend-harness.js';
import { spec2022 } from '../support/specs.js';

/**
 * A stand-in for the central server whose replies a test can spoil, to see
 * that the console stops with an error naming the fault and writes nothing.
 */
interface Entry {
  seq: number;
  hash: string;
  text: string;
}

const spec = spec2022();
const ROUND = 'round-malformed';
let log: Entry[] = [];
let spoil: ((body: string, path: string) => string) | null = null;
let delayMs = 0;
let server: Server;
let url: string;

function append(event: SyncEvent): void {
  const prev = log.at(-1) ?? { seq: 0, hash: LOG_GENESIS };
  const text = canonicalEvent(event);
  log.push({ seq: prev.seq + 1, hash: chainHash(prev.hash, prev.seq + 1, text), text });
}

function purchase(n: number, face = 100_000): PurchaseEvent {
  return {
    type: 'purchase',
    eventId: `p${n}`,
    roundId: ROUND,
    lotId: `lot${n}`,
    at: '2026-03-10T01:00:00.000Z',
    buyerId: `buyer${n}`,
    districtCode: '11110',
    face,
    paid: face - basisPointsOf(face, spec.discountBp),
    paymentMethod: spec.paymentMethods[0]!,
  };
}

function page(after: number, limit: number): string {
  const head = log.at(-1) ?? { seq: 0, hash: LOG_GENESIS };
  const rows = log.filter((e) => e.seq > after).slice(0, limit);
  return [JSON.stringify({ head: { seq: head.seq, hash: head.hash }, after, count: rows.length }), ...rows.map((e) => `${e.seq}\t${e.hash}\t${e.text}`)].join('\n') + '\n';
}

function reply(path: string, q: URLSearchParams): { status: number; body: string } {
  if (path === '/api/auth/sign-in') return { status: 200, body: JSON.stringify({ token: 't'.repeat(32), user: { id: 'u1', username: 'office', displayName: 'office', role: 'official', districtCode: null } }) };
  if (path === '/api/events') return { status: 200, body: page(Number(q.get('after')), Number(q.get('limit'))) };
  if (path === '/api/chain') {
    const seq = Number(q.get('seq'));
    return { status: 200, body: JSON.stringify({ seq, hash: seq === 0 ? LOG_GENESIS : log[seq - 1]!.hash }) };
  }
  return { status: 404, body: '{"error":{"message":"no such route"}}' };
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const u = new URL(req.url!, 'http://x');
    const r = reply(u.pathname, u.searchParams);
    res.writeHead(r.status, { 'content-type': 'application/json' });
    res.end(spoil ? spoil(r.body, u.pathname) : r.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let h: Harness;
/** An official made before the console was connected (a user made after is the stand-in server's to accept, which it does not model). */
let lee: string;
let admin: string;

const sync = () => h.sync(admin);

/** Everything the ledger holds, to compare before and after a spoilt sync. */
function snapshot() {
  const q = (s: string) => h.backend.ledger.sqlite.prepare(s).all();
  return {
    events: q('select seq, hash, payload from ledger_events order by seq'),
    publications: q('select seq, hash from round_publications order by seq'),
    lots: q('select * from lots order by lot_id'),
    sales: q('select * from round_sales'),
    cursor: q('select last_seq, last_hash from sync_state'),
  };
}

beforeEach(async () => {
  spoil = null;
  delayMs = 0;
  log = [];
  append({ type: 'round_published', eventId: 'pub1', roundId: ROUND, version: 1, spec, publishedBy: 'kim', at: '2026-03-02T00:00:00.000Z' });
  for (let i = 1; i <= 3; i++) append(purchase(i));
  h = await Harness.start();
  admin = await h.admin();
  lee = (await h.user(admin, 'lee', 'official')).session;
  await h.call('sync.connect', { serverUrl: url, username: 'office', password: 'pw' }, admin);
  expect(await sync()).toMatchObject({ state: 'done', result: { pulled: 4 } });
  for (let i = 4; i <= 8; i++) append(purchase(i));
  return () => h.close();
});

async function expectStopped(key: string, detail?: RegExp) {
  const before = snapshot();
  const job = await sync();
  expect(job.state).toBe('failed');
  expect(job.error).toMatchObject({ key });
  if (detail) expect(job.error!.message).toMatch(detail);
  expect(snapshot()).toEqual(before);
  expect(await h.call('sync.status', {}, admin)).toMatchObject({ lastSeq: 4, lastError: { key } });
}

describe('a spoilt reply from the server stops the sync, says what is wrong and writes nothing', () => {
  it('a page cut off in the middle of a line', async () => {
    spoil = (body, path) => (path === '/api/events' ? body.slice(0, Math.floor(body.length * 0.7)) : body);
    await expectStopped('sync.truncated');
  });

  it('a page with fewer lines than its header promises', async () => {
    spoil = (body, path) => (path === '/api/events' ? body.split('\n').slice(0, -3).join('\n') + '\n' : body);
    await expectStopped('sync.truncated', /3 of 5 events/);
  });

  it('an amount sent as text', async () => {
    spoil = (body, path) => (path === '/api/events' ? body.replace('"face":100000', '"face":"100000"') : body);
    await expectStopped('sync.malformedReply', /face/);
  });

  it('a sequence number that is not a number', async () => {
    spoil = (body, path) => (path === '/api/events' ? body.replace('\n6\t', '\nsix\t') : body);
    await expectStopped('sync.malformedReply', /six/);
  });

  it('a gap in the sequence numbers', async () => {
    spoil = (body, path) => {
      if (path !== '/api/events') return body;
      const lines = body.split('\n');
      const header = JSON.parse(lines[0]!) as { count: number };
      return [JSON.stringify({ ...header, count: header.count - 1 }), ...lines.slice(1).filter((l) => !l.startsWith('6\t'))].join('\n');
    };
    await expectStopped('sync.gap', /6/);
  });

  it('an event whose hash does not chain from the one before', async () => {
    spoil = (body, path) => (path === '/api/events' ? body.replace('"buyerId":"buyer7"', '"buyerId":"buyer9"') : body);
    await expectStopped('sync.hashMismatch', /Event 8\b/);
    // Our head still agrees with the server's: the fault is in the reply, and the copy is not flagged.
    expect(await h.call('sync.status', {}, admin)).toMatchObject({ chainStatus: 'ok' });
  });

  it('a page that does not chain from a local head someone edited: the copy is flagged, not the reply', async () => {
    const sqlite = h.backend.ledger.sqlite;
    const forged = 'f'.repeat(64);
    sqlite.exec(`drop trigger ledger_events_no_update; update ledger_events set hash = '${forged}' where seq = 4; update sync_state set last_hash = '${forged}'`);
    await expectStopped('sync.hashMismatch', /Event 5\b/);
    expect(await h.call('sync.status', {}, admin)).toMatchObject({ chainStatus: 'mismatch', mismatchSeq: 4 });
  });

  it('a redacted event whose digest is not the one the chain links', async () => {
    spoil = (body, path) => (path === '/api/events' ? body.replace(/\n(7\t[0-9a-f]{64}\t)[^\n]*/, `\n$1#${'0'.repeat(64)}`) : body);
    await expectStopped('sync.hashMismatch', /Event 7\b/);
  });

  it('a header that is not JSON', async () => {
    spoil = (body, path) => (path === '/api/events' ? `<html>proxy error</html>\n${body.split('\n').slice(1).join('\n')}` : body);
    await expectStopped('sync.malformedReply', /header/);
  });

  it('a chain hash reply with the wrong type', async () => {
    spoil = (body, path) => (path === '/api/chain' ? body.replace(/"hash":"[0-9a-f]+"/, '"hash":42') : body);
    const before = snapshot();
    const job = await sync();
    expect(job).toMatchObject({ state: 'failed', error: { key: 'sync.malformedReply' } });
    expect(job.error!.message).toMatch(/hash/);
    // The pages themselves were sound and were kept; only the check failed, and it says so.
    expect(snapshot().events.length).toBe(before.events.length + 5);
    expect(await h.call('sync.status', {}, admin)).toMatchObject({ lastSeq: 9, lastError: { key: 'sync.malformedReply' } });
  });

  it('a well-formed, correctly chained event that sells more than the stock', async () => {
    log.splice(4);
    append(purchase(4, spec.totalAmount));
    await expectStopped('sync.ruleBroken', /ledger.oversold/);
  });
});

describe('one sync at a time', () => {
  it('a second sync asked for while one runs follows it to the same result; reads answer meanwhile; a repair is refused', async () => {
    const other = lee;
    delayMs = 150;
    const first = await h.call('sync.run', {}, admin);
    // The status bar's timer of another window asks too: no 409, a job that ends with the running sync.
    const second = await h.call('sync.run', {}, other);
    expect(second.state).toBe('running');
    // A page open meanwhile reads the last applied state, and the status bar says a sync is under way.
    // Whether the page is in yet or not: before it or after it, never a part (3 purchases held, 5 on their way).
    expect([3, 8]).toContain((await h.call('ledger.rows', { roundId: ROUND, startRow: 0, endRow: 100 }, admin)).lastRow);
    expect(await h.call('sync.status', {}, admin)).toMatchObject({ running: { left: expect.any(Number) } });
    expect(await h.fail('sync.repair', { fromSeq: 2 }, admin)).toMatchObject({ code: 'conflict', key: 'sync.busy' });
    const settle = async (id: string, session: string) => {
      let j = await h.call('jobs.get', { id }, session);
      while (j.state === 'running') {
        await new Promise((r) => setTimeout(r, 20));
        j = await h.call('jobs.get', { id }, session);
      }
      return j;
    };
    expect(await settle(first.id, admin)).toMatchObject({ state: 'done', result: { pulled: 5 } });
    expect(await settle(second.id, other)).toMatchObject({ state: 'done', result: { pulled: 5, lastSeq: 9 } });
    expect(await h.call('sync.status', {}, admin)).toMatchObject({ lastSeq: 9, running: null });
    delayMs = 0;
    expect(await sync()).toMatchObject({ state: 'done', result: { pulled: 0 } });
  });
});

describe('reads during a long apply', () => {
  it('are answered between the slices of a page, before its apply ends, with the state after a whole slice', async () => {
    // One page of 9,009 events after the 4 held (the round and 3 purchases): applied in slices of 1,000.
    for (let i = 9; i <= 9_012; i++) append(purchase(i, 10_000));
    const job = await h.call('sync.run', {}, admin);
    const seen: number[] = [];
    /** Every answer while syncing, to reads of the ledger and of the rounds: none may be an error (a 409 busy above all). */
    const answers: Envelope[] = [];
    let running = 0;
    for (;;) {
      const read = await h.raw('ledger.rows', { roundId: ROUND, startRow: 0, endRow: 1 }, admin);
      answers.push(read, await h.raw('rounds.list', {}, admin));
      const rows = (read.ok ? (read.result as { lastRow: number }).lastRow : -1) as number;
      const status = await h.call('sync.status', {}, admin);
      if ((await h.call('jobs.get', { id: job.id }, admin)).state !== 'running') break;
      seen.push(rows);
      if (status.running) running++;
      // Calls answered from memory never leave the microtask queue; a turn of the event loop lets the sync go on.
      await new Promise((r) => setImmediate(r));
    }
    expect(answers.filter((a) => !a.ok)).toEqual([]);
    // Answered while the page applied, not after it: at each end of a slice but the last, a read waiting meanwhile
    // sees that slice's state. A page of 9,009 is at least three slices (APPLY_SLICE_MAX is 4,000), so at least two
    // part-applied states are seen; one transaction for the page would show none, and a read would wait for all of it.
    expect(new Set(seen.filter((n) => n > 3 && n < 9_012)).size).toBeGreaterThanOrEqual(2);
    // Some read came back while the page was part applied: after 1,000 × k of its events (or all 9,009 of them,
    // while the job checks the chain), never inside a slice. 3 purchases held, 5 + 9,004 on their way.
    const slices = [3, ...Array.from({ length: 9 }, (_, k) => 3 + 1_000 * (k + 1)), 9_012];
    expect(seen.some((n) => n > 3 && n < 9_012)).toBe(true);
    for (const n of seen) expect(slices).toContain(n);
    expect(running).toBeGreaterThan(0);
    expect(await h.call('sync.status', {}, admin)).toMatchObject({ lastSeq: 9_013, running: null });
    expect((await h.call('ledger.rows', { roundId: ROUND, startRow: 0, endRow: 1 }, admin)).lastRow).toBe(9_012);
  });
});

describe('parsePage', () => {
  it('reads a sound page', () => {
    log = [];
    append(purchase(1));
    const p = parsePage(page(0, 10), 0);
    expect(p.head.seq).toBe(1);
    expect(p.entries).toMatchObject([{ seq: 1, event: { type: 'purchase', lotId: 'lot1' } }]);
  });

  it('reads a redacted line as its digest, and nothing looser', () => {
    log = [];
    append(purchase(1));
    append(purchase(2));
    const [header, first, second] = page(0, 10).split('\n');
    const [seq, hash, text] = second!.split('\t');
    const digest = eventDigest(text!);
    const redacted = (d: string) => `${header}\n${first}\n${seq}\t${hash}\t${d}\n`;
    const p = parsePage(redacted(`#${digest}`), 0);
    expect(p.entries[1]).toEqual({ seq: 2, hash, digest });
    expect(p.entries[0]).toMatchObject({ seq: 1, event: { lotId: 'lot1' } });
    expect(() => parsePage(redacted(`#${digest.slice(1)}`), 0)).toThrow(/redacted event/);
    expect(() => parsePage(redacted(`#${digest.toUpperCase()}`), 0)).toThrow(/redacted event/);
    expect(() => parsePage(redacted(`#${digest} `), 0)).toThrow(/redacted event/);
    expect(() => parsePage(redacted(digest), 0)).toThrow(/not JSON/);
  });

  it('refuses a page that starts somewhere else than asked', () => {
    expect(() => parsePage(page(0, 10), 3)).toThrow(/starts after 0/);
  });
});
