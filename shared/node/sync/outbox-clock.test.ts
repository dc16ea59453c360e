import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Command } from '../../sync/protocol.js';
import { Harness } from '../../../tests/support/backend-harness.js';
import { spec2022 } from '../../../tests/support/specs.js';
import { LOG_GENESIS } from '../chain/log-hash.js';

/** A server that answers every command, holds an empty log, and can be taken off the network. */
let down = false;
let received: string[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (down) return void req.socket.destroy();
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const u = new URL(req.url!, 'http://x');
      const json = (v: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v));
      if (u.pathname === '/api/auth/sign-in') {
        // Whoever signs in is that user here: the console's admin gets their own server identity.
        const { username } = JSON.parse(body) as { username: string };
        return json({ token: 't'.repeat(32), user: { id: `u-${username}`, username, displayName: username, role: 'admin', districtCode: null } });
      }
      if (u.pathname === '/api/commands') {
        const c = JSON.parse(body) as Command;
        received.push(c.commandId);
        return json({ commandId: c.commandId, status: 'accepted', reason: null, seq: null });
      }
      if (u.pathname === '/api/events') return res.end(`${JSON.stringify({ head: { seq: 0, hash: LOG_GENESIS }, after: 0, count: 0 })}\n`);
      if (u.pathname === '/api/chain') return json({ seq: 0, hash: LOG_GENESIS });
      res.writeHead(404).end('{"error":{"message":"no such route"}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let h: Harness;
let admin: string;

const sync = () => h.sync(admin);

let adminId: string;

async function enqueue(commandId: string): Promise<void> {
  await h.backend.deps.sync.enqueue(h.backend.deps.db, { type: 'propose_round', commandId, roundId: 'r1', version: 1, spec: spec2022() }, adminId);
}

beforeEach(async () => {
  down = false;
  received = [];
  h = await Harness.start();
  admin = await h.admin();
  adminId = (await h.call('auth.me', {}, admin)).id;
  await h.call('sync.connect', { serverUrl: url, username: 'admin', password: 'pw' }, admin);
  return () => h.close();
});

describe('outbox retries and the wall clock', () => {
  it('sends a command that failed while the clock was a year ahead once the clock is corrected', async () => {
    const real = h.clock;
    h.clock = new Date(real.getTime() + 365 * 86_400_000);
    admin = await h.signIn('admin');
    await enqueue('c-ahead');
    down = true;
    expect(await sync()).toMatchObject({ state: 'failed', error: { key: 'sync.offline' } });
    const [item] = await h.call('sync.outbox', {}, admin);
    expect(Date.parse(item!.nextAttemptAt)).toBeGreaterThan(real.getTime() + 300 * 86_400_000);

    // The clock is put right and the server is back: the next sync sends it.
    h.clock = real;
    admin = await h.signIn('admin');
    down = false;
    expect(await sync()).toMatchObject({ state: 'done', result: { accepted: 1, pending: 0, nextAttemptAt: null } });
    expect(received).toEqual(['c-ahead']);
    expect((await h.call('sync.outbox', {}, admin))[0]).toMatchObject({ state: 'accepted' });
    expect(await h.call('sync.status', {}, admin)).toMatchObject({ pendingOutbox: 0 });
  });

  it('says so when a finished sync leaves commands waiting for their next try', async () => {
    await enqueue('c-wait');
    down = true;
    expect(await sync()).toMatchObject({ state: 'failed', error: { key: 'sync.offline' } });
    down = false;
    // Back within the first 5 s backoff: the pull runs, the command waits its turn, and the summary says so.
    h.advance(1_000);
    const job = await sync();
    expect(job).toMatchObject({ state: 'done', result: { pushed: 0, pending: 1, nextAttemptAt: new Date(h.clock.getTime() + 4_000).toISOString() } });
    expect(await h.call('sync.status', {}, admin)).toMatchObject({ pendingOutbox: 1 });
    h.advance(5_000);
    expect(await sync()).toMatchObject({ state: 'done', result: { accepted: 1, pending: 0 } });
  });
});
