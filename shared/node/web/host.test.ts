import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../backend/backend.js';
import { HOST_TOKEN_HEADER, SESSION_HEADER, startWebHost, type WebHost } from './host.js';

let backend: Backend;
let host: WebHost;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ic-web-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  backend = await createBackend({ dataDir: ':memory:', log: () => {} });
  host = await startWebHost({ invoke: backend.invoke, staticDir: dir });
});
afterAll(async () => {
  await host.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

const api = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${host.port}/api/invoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [HOST_TOKEN_HEADER]: host.token, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('web host', () => {
  it('listens on loopback with a random token in its URL', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    expect(host.token).toHaveLength(32);
  });

  it('serves the renderer with a strict CSP', async () => {
    const r = await fetch(`http://127.0.0.1:${host.port}/`);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<title>console</title>');
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('binds the same handlers: first-run, sign in, a session call', async () => {
    expect(await (await api({ method: 'setup.status', input: {} })).json()).toEqual({ ok: true, result: { needsAdmin: true } });
    await api({ method: 'setup.createAdmin', input: { username: 'admin', displayName: 'A', password: 'admin-password-1' } });
    const signIn = (await (await api({ method: 'auth.signIn', input: { username: 'admin', password: 'admin-password-1' } })).json()) as { result: { token: string } };
    const me = await api({ method: 'auth.me', input: {} }, { [SESSION_HEADER]: signIn.result.token });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ ok: true, result: { username: 'admin' } });
    const anon = await api({ method: 'auth.me', input: {} });
    expect(anon.status).toBe(401);
  });

  it('refuses calls without the token or with a wrong one', async () => {
    const none = await fetch(`http://127.0.0.1:${host.port}/api/invoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"method":"setup.status","input":{}}' });
    expect(none.status).toBe(401);
    const wrong = await api({ method: 'setup.status', input: {} }, { [HOST_TOKEN_HEADER]: 'x'.repeat(32) });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });

  it('refuses a Host header that is not loopback (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: host.port, path: '/api/invoke', method: 'POST', headers: { host: `evil.example:${host.port}`, 'content-type': 'application/json', [HOST_TOKEN_HEADER]: host.token } }, (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      req.end('{"method":"setup.status","input":{}}');
    });
    expect(status).toBe(421);
  });

  it('answers malformed bodies with a clear 400', async () => {
    const truncated = await api('{"method":"setup.sta');
    expect(truncated.status).toBe(400);
    expect(await truncated.json()).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const shape = await api({ input: {} });
    expect(shape.status).toBe(400);
    expect(((await shape.json()) as { error: { message: string } }).error.message).toContain('method');
    const bad = await api({ method: 'rounds.get', input: { id: 5 } });
    expect(bad.status).toBe(400);
    const unknown = await api({ method: 'nope.nope', input: {} });
    expect(unknown.status).toBe(404);
  });
});

/** Finding 6: a 100k-deep JSON body gave HTTP 500 on the web host; it is a clear 400 now, as on the server. */
describe('web host: deep JSON', () => {
  it('answers 400 naming the depth limit for 100k-deep nesting, in the body and in the input', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const body of [deep, `{"method":"setup.status","input":${deep}}`]) {
      const res = await api(body);
      expect(res.status).toBe(400);
      const env = (await res.json()) as { ok: boolean; error: { key: string; message: string } };
      expect(env.ok).toBe(false);
      expect(env.error.key).toBe('errors.bodyTooDeep');
      expect(env.error.message).toBe('요청의 중첩이 너무 깊습니다(64단계 초과)');
    }
  });

  it('still takes a body nested as deep as the limit allows', async () => {
    const input = '{"a":'.repeat(60) + '1' + '}'.repeat(60);
    const res = await api(`{"method":"setup.status","input":${input}}`);
    // Past the depth check: the procedure's own schema judges it (setup.status takes an empty object).
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { key: string } }).error.key).toBe('errors.invalid_input');
  });
});
