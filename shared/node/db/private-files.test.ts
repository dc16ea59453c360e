import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackend } from '../backend/backend.js';
import { KEY_FILE } from '../secrets/vault.js';

const mode = (p: string) => statSync(p).mode & 0o777;
const TOKEN = 'tok_' + 'Q'.repeat(40) + '_plain_server_token';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ic-private-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A stand-in central server that only signs in. */
function fakeServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ token: TOKEN, user: { id: 'u1', username: 'root', displayName: 'root', role: 'admin', districtCode: null } }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server })));
}

describe.skipIf(process.platform === 'win32')('data folder at rest', () => {
  it('creates the folder 0700 and the database, its WAL files and the key 0600', async () => {
    const dir = join(root, 'new', 'Issuance Console');
    const b = await createBackend({ dataDir: dir, log: () => {} });
    await b.deps.db.selectFrom('users').selectAll().execute();
    expect(mode(dir)).toBe(0o700);
    for (const f of ['console.sqlite', 'console.sqlite-wal', 'console.sqlite-shm', KEY_FILE]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
      expect(mode(join(dir, f)), f).toBe(0o600);
    }
    await b.close();
  });

  it('refuses a shared temporary folder (sticky bit, as /tmp) as the data folder, leaving its mode alone', async () => {
    const shared = join(root, 'shared-tmp');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    await expect(createBackend({ dataDir: shared, log: () => {} })).rejects.toThrow(/임시 폴더/);
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
  });

  it('tightens a folder and files left readable by others (0755 / 0644) on start', async () => {
    const dir = join(root, 'old');
    const first = await createBackend({ dataDir: dir, log: () => {} });
    await first.close();
    chmodSync(dir, 0o755);
    for (const f of ['console.sqlite', 'console.sqlite-wal', 'console.sqlite-shm', KEY_FILE]) if (existsSync(join(dir, f))) chmodSync(join(dir, f), 0o644);
    const again = await createBackend({ dataDir: dir, log: () => {} });
    expect(mode(dir)).toBe(0o700);
    for (const f of ['console.sqlite', 'console.sqlite-wal', 'console.sqlite-shm', KEY_FILE]) if (existsSync(join(dir, f))) expect(mode(join(dir, f)), f).toBe(0o600);
    await again.close();
  });

  it('keeps the server token sealed: not in the database files’ bytes, usable by the sync', async () => {
    const dir = join(root, 'sealed');
    mkdirSync(dir, { mode: 0o755 });
    const { url, server } = await fakeServer();
    try {
      const b = await createBackend({ dataDir: dir, log: () => {} });
      // The connecting administrator is signed in: their password-derived key is held (here a random one).
      await b.deps.db.insertInto('users').values({ id: 'test', username: 'test', display_name: 'test', password_hash: 'x', role: 'admin', district_code: null, disabled: 0, created_at: new Date().toISOString(), must_change_password: 0, token_salt: null, created_by: null }).execute();
      b.deps.userKeys.bindLiveness(() => true); // as if 'test' had a live console session
      b.deps.userKeys.hold('test', randomBytes(32));
      await b.deps.sync.connect(url, 'root', 'root-password-1', { id: 'test', username: 'test', displayName: 'test' });
      const stored = await b.deps.db.selectFrom('sync_state').select('token').executeTakeFirstOrThrow();
      expect(stored.token).toBeNull();
      const wrap = await b.deps.db.selectFrom('connection_wraps').selectAll().executeTakeFirstOrThrow();
      expect(wrap.token).toMatch(/^sealed:v1:/);
      // The folder's vault alone does not open it: the user's key is needed too.
      const byFolderKeyAlone = (() => {
        try {
          return b.deps.vault.open(wrap.token);
        } catch {
          return null;
        }
      })();
      expect(byFolderKeyAlone).not.toBe(TOKEN);
      expect(b.deps.userKeys.vaultFor('test')!.open(wrap.token)).toBe(TOKEN);
      b.ledger.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      await b.close();
      for (const f of ['console.sqlite', 'console.sqlite-wal']) {
        if (existsSync(join(dir, f))) expect(readFileSync(join(dir, f)).includes(Buffer.from(TOKEN)), f).toBe(false);
      }
      // A copy of the database without the key file is of no use to whoever took it.
      writeFileSync(join(dir, KEY_FILE), Buffer.alloc(32, 7).toString('base64'));
      const moved = await createBackend({ dataDir: dir, log: () => {} });
      expect((await moved.deps.sync.status()).configured).toBe(true);
      await expect(moved.deps.sync.serverTotals('r1')).rejects.toMatchObject({ key: 'sync.tokenUnreadable' });
      await moved.close();
    } finally {
      server.close();
    }
  });
});
