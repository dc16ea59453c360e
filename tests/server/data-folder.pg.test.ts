import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectServerDb, migrateServer } from '../../server/db/connect.js';
import { call, signInAs, verifyServerChain } from '../support/http-client.js';
import { openSaleRound, ROOT_PASSWORD, ROOT_USER, runServerCommand, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { spec2022 } from '../support/specs.js';

// Defects 7 and 13d of issue 8, on the embedded PGlite.
const base = mkdtempSync(join(tmpdir(), 'ic-srv-folder-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A round proposed, published by a second official, scheduled and opened on the running server: only then does it sell. */
const publish = async (url: string, token: string, roundId: string, totalAmount = 500_000_000_000) => {
  await openSaleRound(url, token, roundId, spec2022({ name: roundId, totalAmount }));
};

describe('one server process per PGlite folder', () => {
  const dataDir = join(base, 'data');
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ dataDir });
  });
  afterAll(() => server?.stop());

  it('creates the data folder 0700', () => {
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });

  it('refuses a second server on the same folder at once, naming it, and the running one carries on', async () => {
    const second = await runServerCommand(['--port', '0', '--data-dir', dataDir], { DATABASE_URL: '' });
    expect(second.code).not.toBe(0);
    expect(second.output).toContain(`the data folder ${resolve(dataDir)} is in use by another server process (pid ${server.child.pid}`);
    expect(second.output).toContain('Stop the other server first');
    expect(server.child.exitCode).toBeNull();
    expect((await call(server.url, 'GET', '/api/head', undefined, await signInAs(server.url))).status).toBe(200);
  });

  it('--feed plays the sale through the running server, and the folder opens afterwards with the chain intact', async () => {
    const token = await signInAs(server.url);
    await publish(server.url, token, 'fed-round');
    const before = (await call(server.url, 'GET', '/api/head', undefined, token)).body.seq as number;
    const fed = await runServerCommand(['--feed', 'fed-round:700', '--url', server.url, '--data-dir', dataDir], {
      DATABASE_URL: '',
      ISSUANCE_SERVER_USER: ROOT_USER,
      ISSUANCE_SERVER_PASSWORD: ROOT_PASSWORD,
    });
    expect(fed.output).toContain('Played 700 purchases');
    expect(fed.code).toBe(0);
    const after = (await call(server.url, 'GET', '/api/head', undefined, token)).body.seq as number;
    expect(after).toBeGreaterThan(before + 700);
    const lots = (await call(server.url, 'GET', '/api/rounds/fed-round/totals', undefined, token)).body;
    expect(lots.purchases).toBe(700);

    await server.stop();
    const sdb = await connectServerDb({ dataDir, log: () => {} });
    try {
      await migrateServer(sdb.db);
      expect((await verifyServerChain(sdb)).seq).toBe(after);
    } finally {
      await sdb.close();
    }
  });

  it('a lock left by a process that died is taken over', async () => {
    const crashed = await startServerProcess({ dataDir });
    crashed.child.kill('SIGKILL');
    await new Promise((r) => crashed.child.once('exit', r));
    const again = await startServerProcess({ dataDir });
    try {
      expect((await call(again.url, 'GET', '/api/head', undefined, await signInAs(again.url))).status).toBe(200);
    } finally {
      await again.stop();
    }
  });
});

describe('a feed on PGlite leaves room for other requests', () => {
  it('a /api/head request started during a 20,000-purchase feed is answered mid-feed, before the feed ends', async () => {
    const server = await startServerProcess({ dataDir: join(base, 'feed') });
    try {
      const token = await signInAs(server.url);
      await publish(server.url, token, 'busy-round');
      const start = (await call(server.url, 'GET', '/api/head', undefined, token)).body.seq as number;
      const order: string[] = [];
      const feed = call(server.url, 'POST', '/api/feed/sale', { roundId: 'busy-round', purchases: 20_000, usesShare: 0 }, token).then((r) => {
        order.push('feed');
        return r;
      });
      await new Promise((r) => setTimeout(r, 700));
      const head = await call(server.url, 'GET', '/api/head', undefined, token).then((r) => {
        order.push('head');
        return r;
      });
      const fed = await feed;
      expect(fed.status).toBe(200);
      expect(order).toEqual(['head', 'feed']);
      // Answered while the feed was writing: the head it saw is neither the start nor the end.
      expect(head.body.seq).toBeGreaterThan(start);
      expect(head.body.seq).toBeLessThan(fed.body.head.seq);
    } finally {
      await server.stop();
    }
  });
});
