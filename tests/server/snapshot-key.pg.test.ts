import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSnapshotKey, SNAPSHOT_KEY_FILE } from '../../server/log/snapshot-key.js';
import { SNAPSHOT_KEY_HEADER } from '../../shared/sync/snapshot-wire.js';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

/** The snapshot signing key lives in the server's data folder, so a restarted server signs with the key consoles pinned. */
const dataDir = mkdtempSync(join(tmpdir(), 'ic-snapshot-key-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A server on the key of `dataDir` with a little log; the key it sends with its snapshot, read by a hand-made request. */
async function servedKey(): Promise<string> {
  const s = await ServerHarness.start({ snapshotKey: loadSnapshotKey(dataDir) });
  try {
    const staff = await s.staff();
    const spec = spec2022({ paymentMethods: ['bank_transfer'] });
    await s.openSale('round-key', spec, staff, new Date(Date.parse(spec.opensAt) + 3_600_000), { purchases: 5, seed: 1, usesShare: 0 });
    const ask = () => fetch(`${s.url}/api/sync/snapshot`, { headers: { authorization: `Bearer ${staff.admin}` } });
    (await ask()).body?.cancel();
    await s.snapshots.idle();
    const res = await ask();
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    return Buffer.from(res.headers.get(SNAPSHOT_KEY_HEADER)!, 'base64').toString();
  } finally {
    await s.close();
  }
}

describe('the snapshot signing key', () => {
  it('is made once in the data folder (0600) and served the same by a restarted server', async () => {
    const first = await servedKey();
    const file = join(dataDir, SNAPSHOT_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = await servedKey();
    expect(second).toBe(first);
    // It is the public half of the file's key, not a key of the process.
    expect(createPublicKey(createPrivateKey(readFileSync(file, 'utf8'))).export({ type: 'spki', format: 'pem' }).toString()).toBe(first);
  });

  it('refuses a data folder whose key file is not an Ed25519 key', () => {
    const other = mkdtempSync(join(tmpdir(), 'ic-snapshot-key-bad-'));
    try {
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      writeFileSync(join(other, SNAPSHOT_KEY_FILE), ec);
      expect(() => loadSnapshotKey(other)).toThrow(/Ed25519/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
