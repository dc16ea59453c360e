import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerHarness } from '../support/server-harness.js';
import { runServerCommand } from '../support/server-process.js';

// Defect 11 (server half) and 13c of issue 8, with hand-made requests.
let s: ServerHarness;
let admin: string;
beforeAll(async () => {
  s = await ServerHarness.start();
  admin = await s.user('admin', 'admin');
  await s.user('mapo', 'clerk', '11440');
});
afterAll(() => s.close());

const signIn = async (username: string) => s.post('/api/auth/sign-in', { username, password: `${username}-password-1` });
const tokenOf = async (username: string) => (await signIn(username)).body as { token: string };
const me = (token: string) => s.get('/api/me', token);

describe('server accounts', () => {
  it('sign-out revokes the calling token only', async () => {
    const { token: a } = await tokenOf('mapo');
    const { token: b } = await tokenOf('mapo');
    expect((await s.post('/api/auth/sign-out', {}, a)).status).toBe(200);
    expect((await me(a)).status).toBe(401);
    expect((await me(b)).status).toBe(200);
    expect((await s.post('/api/auth/sign-out', {}, a)).status).toBe(401);
    expect((await s.post('/api/auth/sign-out', {})).status).toBe(401);
  });

  it('an administrator lists the users, without password hashes; others may not', async () => {
    const r = await s.get('/api/users', admin);
    expect(r.status).toBe(200);
    const users = (r.body as { users: Record<string, unknown>[] }).users;
    expect(users.map((u) => u.username)).toEqual(['admin', 'mapo']);
    expect(users[1]).toMatchObject({ username: 'mapo', role: 'clerk', districtCode: '11440', disabled: false });
    expect(r.text).not.toMatch(/hash|scrypt/i);
    const { token } = await tokenOf('mapo');
    expect((await s.get('/api/users', token)).status).toBe(403);
  });

  it('an administrator revokes every token of a user; the password still signs in', async () => {
    const { token: a } = await tokenOf('mapo');
    const { token: b } = await tokenOf('mapo');
    expect((await s.post('/api/users/mapo/revoke-tokens', {}, a)).status).toBe(403);
    const r = await s.post('/api/users/mapo/revoke-tokens', {}, admin);
    expect(r.status).toBe(200);
    expect((r.body as { revoked: number }).revoked).toBeGreaterThanOrEqual(2);
    expect((await me(a)).status).toBe(401);
    expect((await me(b)).status).toBe(401);
    expect((await signIn('mapo')).status).toBe(200);
  });

  it('a disabled user is stopped at once and cannot sign in; enabling does not revive old tokens', async () => {
    const { token } = await tokenOf('mapo');
    const off = await s.post('/api/users/mapo/disabled', { disabled: true }, admin);
    expect(off.status).toBe(200);
    expect((await me(token)).status).toBe(401);
    expect((await s.get('/api/head', token)).status).toBe(401);
    expect((await signIn('mapo')).status).toBe(401);
    expect(((await s.get('/api/users', admin)).body as { users: { username: string; disabled: boolean }[] }).users.find((u) => u.username === 'mapo')?.disabled).toBe(true);
    expect((await s.post('/api/users/mapo/disabled', { disabled: false }, admin)).status).toBe(200);
    expect((await me(token)).status).toBe(401);
    expect((await signIn('mapo')).status).toBe(200);
  });

  it('an administrator cannot disable themself', async () => {
    const r = await s.post('/api/users/admin/disabled', { disabled: true }, admin);
    expect(r.status).toBe(409);
    expect((r.body as { error: { key: string } }).error.key).toBe('errors.cannotDemoteSelf');
    expect((await me(admin)).status).toBe(200);
  });

  it('validates the user name and the body', async () => {
    const key = (r: { body: unknown }) => (r.body as { error: { key: string } }).error.key;
    expect(await s.post('/api/users/nobody/revoke-tokens', {}, admin)).toMatchObject({ status: 404 });
    const badName = await s.post(`/api/users/${encodeURIComponent('no such user!')}/disabled`, { disabled: true }, admin);
    expect([badName.status, key(badName)]).toEqual([400, 'errors.invalid_input']);
    const badBody = await s.post('/api/users/mapo/disabled', { disabled: 'yes' }, admin);
    expect([badBody.status, key(badBody)]).toEqual([400, 'errors.invalid_input']);
    const extra = await s.post('/api/users/mapo/disabled', { disabled: true, role: 'admin' }, admin);
    expect([extra.status, key(extra)]).toEqual([400, 'errors.invalid_input']);
    expect(((await s.get('/api/users', admin)).body as { users: { username: string; disabled: boolean }[] }).users.find((u) => u.username === 'mapo')?.disabled).toBe(false);
  });
});

describe('hand-made bodies', () => {
  it('100k-deep JSON nesting is refused with 400 and a clear message', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const path of ['/api/auth/sign-in', '/api/commands']) {
      const res = await fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: deep });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { key: string; message: string } };
      expect(body.error.key).toBe('errors.bodyTooDeep');
      expect(body.error.message).toBe('The request is nested too deeply (more than 64 levels)');
    }
  });

  it('brackets inside strings do not count as nesting', async () => {
    const r = await s.post('/api/auth/sign-in', { username: '['.repeat(60), password: '{'.repeat(100) });
    expect(r.status).toBe(401);
  });
});

describe('--admin on the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ic-admin-arg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses user:password, saying why, before opening any database', async () => {
    const dataDir = join(dir, 'a');
    const r = await runServerCommand(['--port', '0', '--data-dir', dataDir, '--admin', 'root:root-password-1'], { DATABASE_URL: '', ISSUANCE_ADMIN_PASSWORD: '' });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('visible to every user of this machine in the process list');
    expect(r.output).toContain('ISSUANCE_ADMIN_PASSWORD');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('without ISSUANCE_ADMIN_PASSWORD and no terminal to ask on, stops with a message', async () => {
    const r = await runServerCommand(['--port', '0', '--data-dir', join(dir, 'b'), '--admin', 'root'], { DATABASE_URL: '', ISSUANCE_ADMIN_PASSWORD: '' });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('stdin is not a terminal');
  });
});
