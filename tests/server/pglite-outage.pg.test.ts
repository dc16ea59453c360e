import { PGlite } from '@electric-sql/pglite';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildServer } from '../../server/app.js';
import { createUser } from '../../server/auth/server-auth.js';
import { connectServerDb, migrateServer } from '../../server/db/connect.js';
import { call, signInAs } from '../support/http-client.js';
import { openSaleRound, startServerProcess } from '../support/server-process.js';
import { spec2022 } from '../support/specs.js';

// Defect 8 of issue 8 on the embedded PGlite: a full disk and a failed instance.
const base = mkdtempSync(join(tmpdir(), 'ic-pglite-outage-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A small tmpfs, so the disk can really fill up; mounting needs root (the tests run as root in CI). */
const canMount = process.getuid?.() === 0;
function mountSmallDisk(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot mount a small tmpfs for the full-disk test: ${r.stderr}`);
}

/** Writes zeros until the disk says it is full; returns the file to delete to free it. */
function fillDisk(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1 << 20);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  return path;
}

describe('PGlite on a full disk', () => {
  const disk = join(base, 'disk');
  it.runIf(canMount)('answers 503 "disk full" while nothing can be written, and writes again once there is room, without a restart', async () => {
    mountSmallDisk(disk);
    const server = await startServerProcess({ dataDir: join(disk, 'data') }).catch((e: unknown) => {
      spawnSync('umount', ['-l', disk]);
      throw e;
    });
    try {
      const token = await signInAs(server.url);
      await openSaleRound(server.url, token, 'r', spec2022({ name: 'r' }));
      const filler = fillDisk(disk);
      const refused = await call(server.url, 'POST', '/api/feed/sale', { roundId: 'r', purchases: 20_000, usesShare: 0 }, token);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(refused.body.error).toMatchObject({ key: 'errors.databaseUnavailable', params: { reason: 'disk full' } });
      expect((await call(server.url, 'GET', '/api/head', undefined, token)).status).toBe(200);
      rmSync(filler);
      const fed = await call(server.url, 'POST', '/api/feed/sale', { roundId: 'r', purchases: 2_000, usesShare: 0 }, token);
      expect(fed.status).toBe(200);
      expect(server.child.exitCode).toBeNull();
    } finally {
      await server.stop();
      spawnSync('umount', ['-l', disk]);
    }
  });
});

describe('a PGlite instance that failed for good', () => {
  it('is answered 503 and reopened from its folder on the next request', async () => {
    const sdb = await connectServerDb({ dataDir: join(base, 'reopen'), log: () => {} });
    await migrateServer(sdb.db);
    await createUser(sdb.db, { username: 'root', displayName: 'root', password: 'root-password-1', role: 'admin', districtCode: null });
    const app = await buildServer({ db: sdb.db, log: () => {} });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const query = PGlite.prototype.query;
    try {
      const token = await signInAs(url);
      // The instance in use from now on behaves as one whose WebAssembly module aborted:
      // every call fails with the RuntimeError PGlite throws then. Instances opened later work.
      const dead = new WeakSet<object>();
      let current: object | undefined;
      vi.spyOn(PGlite.prototype, 'query').mockImplementation(function (this: PGlite, ...args: unknown[]) {
        current ??= this;
        if (this === current) dead.add(this);
        if (dead.has(this)) {
          const e = new Error('Aborted(). Build with -sASSERTIONS for more info.');
          e.name = 'RuntimeError';
          return Promise.reject(e);
        }
        return (query as (...a: unknown[]) => Promise<never>).apply(this, args);
      });
      const failed = await call(url, 'GET', '/api/head', undefined, token);
      expect(failed.status).toBe(503);
      expect(failed.body.error).toMatchObject({ key: 'errors.databaseUnavailable', params: { reason: 'database failed' } });
      const again = await call(url, 'GET', '/api/head', undefined, token);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ seq: 0 });
    } finally {
      vi.restoreAllMocks();
      await app.close();
      await sdb.close();
    }
  });
});
