import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../backend/backend.js';
import { UploadStore } from '../uploads/upload-store.js';
import { HOST_TOKEN_HEADER, SESSION_HEADER, startWebHost, type WebHost } from './host.js';

/** The web host's binary upload: token-guarded, streamed to a private file, capped, read by the backend by id. */
let backend: Backend;
let host: WebHost;
let staticDir: string;
const CAP = 64 * 1024;
const QUOTA = 150 * 1024;
let admin: string;
let official: string;
let analyst: string;

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'ic-web-up-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>console</title>');
  backend = await createBackend({ dataDir: ':memory:', log: () => {} });
  // The host writes where the backend reads, as the web host's main does with the data folder's uploads/.
  host = await startWebHost({ invoke: backend.invoke, staticDir, uploads: new UploadStore(backend.deps.uploads.dir), maxUploadBytes: CAP, uploadQuotaBytes: QUOTA });
  const call = async (method: string, input: unknown, session?: string) => {
    const env = await backend.invoke({ method, input, session } as never);
    if (!env.ok) throw new Error(JSON.stringify(env.error));
    return env.result as { token: string; id: string };
  };
  await call('setup.createAdmin', { username: 'admin', displayName: '관리자', password: 'admin-password-1' });
  admin = (await call('auth.signIn', { username: 'admin', password: 'admin-password-1' })).token;
  await call('users.create', { username: 'kim', displayName: 'kim', password: 'kim-password-1', role: 'official', districtCode: null }, admin);
  await call('users.create', { username: 'ana', displayName: 'ana', password: 'ana-password-1', role: 'analyst', districtCode: null }, admin);
  official = (await call('auth.signIn', { username: 'kim', password: 'kim-password-1' })).token;
  analyst = (await call('auth.signIn', { username: 'ana', password: 'ana-password-1' })).token;
});
afterAll(async () => {
  await host.close();
  await backend.close();
  rmSync(staticDir, { recursive: true, force: true });
});

const files = () => readdirSync(backend.deps.uploads.dir);
const post = (body: Uint8Array | ReadableStream<Uint8Array>, headers: Record<string, string> = { [HOST_TOKEN_HEADER]: host.token, [SESSION_HEADER]: admin }) =>
  fetch(`http://127.0.0.1:${host.port}/api/upload`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);

describe('web host upload', () => {
  it('refuses an upload without the token or with a wrong one, writing nothing', async () => {
    const none = await post(new Uint8Array([1, 2, 3]), {});
    expect(none.status).toBe(401);
    const wrong = await post(new Uint8Array([1, 2, 3]), { [HOST_TOKEN_HEADER]: 'x'.repeat(32) });
    expect(wrong.status).toBe(401);
    expect(files()).toEqual([]);
  });

  it('refuses the host token alone, a stale session and an analyst: only a signed-in reconciler uploads (finding 6)', async () => {
    const tokenOnly = await post(new Uint8Array([1, 2, 3]), { [HOST_TOKEN_HEADER]: host.token });
    expect(tokenOnly.status).toBe(401);
    expect(((await tokenOnly.json()) as { error: { key: string } }).error.key).toBe('errors.unauthenticated');
    expect((await post(new Uint8Array([1, 2, 3]), { [HOST_TOKEN_HEADER]: host.token, [SESSION_HEADER]: 'x'.repeat(43) })).status).toBe(401);
    const byAnalyst = await post(new Uint8Array([1, 2, 3]), { [HOST_TOKEN_HEADER]: host.token, [SESSION_HEADER]: analyst });
    expect(byAnalyst.status).toBe(403);
    expect(files()).toEqual([]);
    const byOfficial = await post(new Uint8Array([1, 2, 3]), { [HOST_TOKEN_HEADER]: host.token, [SESSION_HEADER]: official });
    expect(byOfficial.status).toBe(200);
    backend.deps.uploads.remove(((await byOfficial.json()) as { result: { uploadId: string } }).result.uploadId);
  });

  it('holds each user to their quota of waiting uploads, and an import taking one frees its room', async () => {
    const ids: string[] = [];
    // 150 KiB each: two 60 KiB uploads fit, a third does not (for this user); another user has room of their own.
    for (let i = 0; i < 2; i++) {
      const r = await post(new Uint8Array(60 * 1024));
      expect(r.status).toBe(200);
      ids.push(((await r.json()) as { result: { uploadId: string } }).result.uploadId);
    }
    const full = await post(new Uint8Array(60 * 1024));
    expect(full.status).toBe(413);
    const body = (await full.json()) as { error: { key: string; message: string } };
    expect(body.error.key).toBe('uploads.quotaFull');
    expect(body.error.message).toBe('올린 파일이 사용자당 한도(1 MB)에 찼습니다. 올린 파일을 가져오거나 1시간 뒤에 다시 올리세요');
    const other = await post(new Uint8Array(60 * 1024), { [HOST_TOKEN_HEADER]: host.token, [SESSION_HEADER]: official });
    expect(other.status).toBe(200);
    ids.push(((await other.json()) as { result: { uploadId: string } }).result.uploadId);
    backend.deps.uploads.remove(ids[0]!);
    expect((await post(new Uint8Array(60 * 1024))).status).toBe(200);
    for (const f of files()) backend.deps.uploads.remove(f);
  });

  it("removes an upload no import took within its life, on the host's timer", async () => {
    const shortLived = await startWebHost({ invoke: backend.invoke, staticDir, uploads: new UploadStore(backend.deps.uploads.dir), uploadLifeMs: 300 });
    try {
      const r = await fetch(`http://127.0.0.1:${shortLived.port}/api/upload`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', [HOST_TOKEN_HEADER]: shortLived.token, [SESSION_HEADER]: admin },
        body: new Uint8Array([1, 2, 3]),
      });
      expect(r.status).toBe(200);
      expect(files()).toHaveLength(1);
      await new Promise((res) => setTimeout(res, 1_000));
      expect(files()).toEqual([]);
    } finally {
      await shortLived.close();
    }
  });

  it('streams a file to a 0600 file and the backend reads it back by its id', async () => {
    const bytes = new Uint8Array(50_000).map((_, i) => i % 251);
    const r = await post(bytes);
    expect(r.status).toBe(200);
    const { result } = (await r.json()) as { result: { uploadId: string; bytes: number } };
    expect(result.bytes).toBe(50_000);
    expect(files()).toEqual([result.uploadId]);
    expect(statSync(join(backend.deps.uploads.dir, result.uploadId)).mode & 0o777).toBe(0o600);
    expect(Buffer.compare(backend.deps.uploads.read(result.uploadId), Buffer.from(bytes))).toBe(0);
    backend.deps.uploads.remove(result.uploadId);
    expect(files()).toEqual([]);
  });

  it('refuses a declared size over the cap with a Korean message, writing nothing', async () => {
    const r = await post(new Uint8Array(CAP + 1));
    expect(r.status).toBe(413);
    const body = (await r.json()) as { ok: boolean; error: { key: string; message: string } };
    expect(body).toMatchObject({ ok: false, error: { key: 'reconcile.tooLarge' } });
    expect(body.error.message).toMatch(/파일이 너무 큽니다/);
    expect(files()).toEqual([]);
  });

  it('stops a streamed body (no length given) at the cap and removes what it had written', async () => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= CAP * 4) return c.close();
        sent += 16 * 1024;
        c.enqueue(new Uint8Array(16 * 1024));
      },
    });
    const status = await post(stream).then((r) => r.status, () => 0);
    // 413, or the connection closed under a client still sending: either way nothing stays.
    expect([413, 0]).toContain(status);
    await new Promise((r) => setTimeout(r, 100));
    expect(files()).toEqual([]);
  });

  it('refuses a Host header that is not loopback', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: host.port, path: '/api/upload', method: 'POST', headers: { host: `evil.example:${host.port}`, 'content-type': 'application/octet-stream', [HOST_TOKEN_HEADER]: host.token } },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end(Buffer.from('abc'));
    });
    expect(status).toBe(421);
    expect(files()).toEqual([]);
  });

  it('uploads from a previous run are gone when the backend starts again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ic-data-'));
    try {
      const first = await createBackend({ dataDir, log: () => {} });
      const { uploadId } = first.deps.uploads.put(new Uint8Array([1, 2, 3]));
      await first.close();
      expect(readdirSync(join(dataDir, 'uploads'))).toEqual([uploadId]);
      const second = await createBackend({ dataDir, log: () => {} });
      expect(readdirSync(join(dataDir, 'uploads'))).toEqual([]);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
