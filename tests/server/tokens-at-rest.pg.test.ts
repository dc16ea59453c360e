import Database from 'better-sqlite3';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, DATABASE_FILE, type Backend } from '../../shared/node/backend/backend.js';
import { KEY_FILE, vaultFromKey } from '../../shared/node/secrets/vault.js';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

/**
 * Finding 5: a copy of the web console's data folder — database and key file —
 * must yield no server token that works. Tokens are sealed under a key from
 * each user's password, held only while they are signed in.
 */
let server: ServerHarness;
let backend: Backend;
let dir: string;
let clock = new Date('2026-03-02T00:00:00.000Z');
const now = () => clock;

const call = async (method: string, input: unknown, session?: string) => {
  const env = await backend.invoke({ method, input, session } as never);
  if (!env.ok) throw new Error(`${method}: ${JSON.stringify(env.error)}`);
  return env.result as never;
};
const signIn = async (username: string) => ((await call('auth.signIn', { username, password: `${username}-password-1` })) as { token: string }).token;

/** Every string an attacker could take out of a copied folder: each sealed column, as stored and as the folder's key opens it. */
function candidatesFrom(copy: string): string[] {
  const outer = vaultFromKey(Buffer.from(readFileSync(join(copy, KEY_FILE), 'utf8').trim(), 'base64'));
  const db = new Database(join(copy, DATABASE_FILE), { readonly: true });
  const stored = [
    ...(db.prepare('select token from server_tokens').all() as { token: string }[]).map((r) => r.token),
    ...(db.prepare('select token from connection_wraps').all() as { token: string }[]).map((r) => r.token),
    ...(db.prepare('select token from sync_state where token is not null').all() as { token: string }[]).map((r) => r.token),
  ];
  db.close();
  const out = [...stored];
  for (const s of stored) {
    try {
      out.push(outer.open(s));
    } catch {
      /* not under the folder's key alone */
    }
  }
  return out;
}

beforeAll(async () => {
  server = await ServerHarness.start({ now });
  await server.user('admin', 'admin');
  await server.user('kim', 'official');
  dir = mkdtempSync(join(tmpdir(), 'ic-tokens-'));
  backend = await createBackend({ dataDir: dir, now, log: () => {} });
  await call('setup.createAdmin', { username: 'admin', displayName: '관리자', password: 'admin-password-1' });
  const admin = await signIn('admin');
  await call('users.create', { username: 'kim', displayName: 'kim', password: 'kim-password-1', role: 'official', districtCode: null }, admin);
  await call('sync.connect', { serverUrl: server.url, username: 'admin', password: 'admin-password-1' }, admin);
});
afterAll(async () => {
  await backend?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('server tokens at rest (finding 5)', () => {
  it('a copied data folder, key file included, holds no token the server takes; the author signs in again and the command goes out', async () => {
    const kim = await signIn('kim');
    await backend.deps.sync.signInsSettled();
    await call('rounds.create', { spec: spec2022() }, kim);
    await call('auth.signOut', {}, kim);
    const admin = await signIn('admin');
    await backend.deps.sync.signInsSettled();
    await call('auth.signOut', {}, admin);

    const copy = mkdtempSync(join(tmpdir(), 'ic-stolen-'));
    try {
      backend.ledger.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      cpSync(dir, copy, { recursive: true });
      const found = candidatesFrom(copy);
      // Kim's token, the admin's, and the connection's wrap for the admin: there is something to steal.
      expect(found.length).toBeGreaterThanOrEqual(3);
      for (const token of found) {
        expect((await server.get('/api/me', token)).status).toBe(401);
        expect((await server.get('/api/head', token)).status).toBe(401);
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }

    // Kim's proposal waits for her: with nobody signed in the console cannot even pull.
    const a2 = await signIn('admin');
    await backend.deps.sync.signInsSettled();
    const held = (await call('sync.outbox', {}, a2)) as { type: string; state: string }[];
    expect(held.map((o) => [o.type, o.state])).toEqual([['propose_round', 'pending']]);
    const job = (await call('sync.run', {}, a2)) as { id: string };
    for (let i = 0; i < 500 && ((await call('jobs.get', { id: job.id }, a2)) as { state: string }).state === 'running'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(((await call('sync.outbox', {}, a2)) as { state: string }[])[0]!.state).toBe('pending');

    await signIn('kim');
    await backend.deps.sync.signInsSettled();
    const job2 = (await call('sync.run', {}, a2)) as { id: string };
    let state = '';
    for (let i = 0; i < 500 && (state = ((await call('jobs.get', { id: job2.id }, a2)) as { state: string }).state) === 'running'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(state).toBe('done');
    expect(((await call('sync.outbox', {}, a2)) as { state: string }[])[0]!.state).toBe('accepted');
  });

  it('the server refuses a token past its 12 hours (server time), and renewal extends it but never past 30 days from sign-in', async () => {
    const token = (await server.post('/api/auth/sign-in', { username: 'kim', password: 'kim-password-1' })).body as { token: string };
    const t0 = clock;
    clock = new Date(t0.getTime() + 11 * 3_600_000);
    expect((await server.get('/api/me', token.token)).status).toBe(200);
    clock = new Date(t0.getTime() + 12 * 3_600_000 + 60_000);
    expect((await server.get('/api/me', token.token)).status).toBe(401);
    expect((await server.post('/api/auth/renew', {}, token.token)).status).toBe(401);

    const fresh = ((await server.post('/api/auth/sign-in', { username: 'kim', password: 'kim-password-1' })).body as { token: string }).token;
    const t1 = clock;
    // Renewed every 10 hours: alive for 29 days, dead by 30 days and 12 hours whatever the renewals.
    for (let h = 10; h < 30 * 24; h += 10) {
      clock = new Date(t1.getTime() + h * 3_600_000);
      expect((await server.post('/api/auth/renew', {}, fresh)).status).toBe(200);
    }
    clock = new Date(t1.getTime() + 30 * 86_400_000 + 60_000);
    expect((await server.get('/api/me', fresh)).status).toBe(401);
    clock = t0;
  });
});
