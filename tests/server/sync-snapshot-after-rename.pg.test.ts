import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Harness } from '../support/backend-harness.js';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

/**
 * A first sync whose snapshot was renamed over the ledger and then failed
 * (the reopen or the read of the new file's cursor): the ledger is already
 * the new file on a new connection, so the next sync must go on from it, not
 * fail on statements prepared on the connection the rename closed.
 */
const failAfterRename = vi.hoisted(() => ({ armed: true }));
vi.mock('../../shared/node/sync/snapshot-install.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../shared/node/sync/snapshot-install.js')>();
  return {
    ...real,
    installSnapshotFile: async (...args: Parameters<typeof real.installSnapshotFile>) => {
      const done = await real.installSnapshotFile(...args);
      if (failAfterRename.armed && done.renamed) {
        failAfterRename.armed = false;
        throw new Error('stopped after the rename');
      }
      return done;
    },
  };
});

let server: ServerHarness;
let serverAdmin: string;
let h: Harness;
const dirs: string[] = [];
const roundId = 'round-after-rename';
const spec = spec2022({ paymentMethods: ['bank_transfer'] });

beforeAll(async () => {
  server = await ServerHarness.start({ snapshotRebuildAfter: 1_000_000 });
  const staff = await server.staff();
  serverAdmin = staff.admin;
  await server.openSale(roundId, spec, staff, new Date(Date.parse(spec.opensAt) + 3_600_000), { purchases: 60, seed: 5, usesShare: 0.5 });
  await server.user('seo', 'official', null, 'seo-password-1');
  await server.snapshots.rebuild({ kind: 'all' });
});
afterAll(async () => {
  await h?.close();
  await server?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

it('the next sync goes on from the renamed-in file instead of failing until a restart', async () => {
  const head = (await server.get('/api/head', serverAdmin)).body as { seq: number };
  const dataDir = mkdtempSync(join(tmpdir(), 'ic-after-rename-'));
  dirs.push(dataDir);
  h = await Harness.start(() => server.now(), dataDir);
  const admin = await h.admin();
  await h.call('sync.connect', { serverUrl: server.url, username: 'seo', password: 'seo-password-1' }, admin);

  const first = await h.sync(admin);
  expect([first.state, failAfterRename.armed]).toEqual(['failed', false]);
  // The file is the snapshot already: its events are there.
  expect(h.backend.deps.sqlite.prepare('select count(*) from ledger_events').pluck().get()).toBeGreaterThan(0);

  const second = await h.sync(admin);
  expect(second.state, JSON.stringify(second.error)).toBe('done');
  expect((second.result as { lastSeq: number }).lastSeq).toBe(head.seq);
  expect((await h.call('sync.status', {}, admin)).chainStatus).toBe('ok');
});
