import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../backend/backend.js';
import { HOST_TOKEN_HEADER, startWebHost, type WebHost } from './host.js';

/** Finding 6: a 100k-deep JSON body gave HTTP 500 on the web host; it is a clear 400 now, as on the server. */
let backend: Backend;
let host: WebHost;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ic-web-deep-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  backend = await createBackend({ dataDir: ':memory:', log: () => {} });
  host = await startWebHost({ invoke: backend.invoke, staticDir: dir });
});
afterAll(async () => {
  await host.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

const invoke = (body: string) =>
  fetch(`http://127.0.0.1:${host.port}/api/invoke`, { method: 'POST', headers: { 'content-type': 'application/json', [HOST_TOKEN_HEADER]: host.token }, body });

describe('web host: deep JSON', () => {
  it('answers 400 naming the depth limit for 100k-deep nesting, in the body and in the input', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const body of [deep, `{"method":"setup.status","input":${deep}}`]) {
      const res = await invoke(body);
      expect(res.status).toBe(400);
      const env = (await res.json()) as { ok: boolean; error: { key: string; message: string } };
      expect(env.ok).toBe(false);
      expect(env.error.key).toBe('errors.bodyTooDeep');
      expect(env.error.message).toBe('요청의 중첩이 너무 깊습니다(64단계 초과)');
    }
  });

  it('still takes a body nested as deep as the limit allows', async () => {
    const input = '{"a":'.repeat(60) + '1' + '}'.repeat(60);
    const res = await invoke(`{"method":"setup.status","input":${input}}`);
    // Past the depth check: the procedure's own schema judges it (setup.status takes an empty object).
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { key: string } }).error.key).toBe('errors.invalid_input');
  });
});
