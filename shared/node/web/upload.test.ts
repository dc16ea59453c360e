import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../backend/backend.js';
import { UploadStore } from '../uploads/upload-store.js';
import { HOST_TOKEN_HEADER, startWebHost, type WebHost } from './host.js';

/** The web host's binary upload: token-guarded, streamed to a private file, capped, read by the backend by id. */
let backend: Backend;
let host: WebHost;
let staticDir: string;
const CAP = 64 * 1024;

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'ic-web-up-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>console</title>');
  backend = await createBackend({ dataDir: ':memory:', log: () => {} });
  // The host writes where the backend reads, as the web host's main does with the data folder's uploads/.
  host = await startWebHost({ invoke: backend.invoke, staticDir, uploads: new UploadStore(backend.deps.uploads.dir), maxUploadBytes: CAP });
});
afterAll(async () => {
  await host.close();
  await backend.close();
  rmSync(staticDir, { recursive: true, force: true });
});

const files = () => readdirSync(backend.deps.uploads.dir);
const post = (body: Uint8Array | ReadableStream<Uint8Array>, headers: Record<string, string> = { [HOST_TOKEN_HEADER]: host.token }) =>
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
