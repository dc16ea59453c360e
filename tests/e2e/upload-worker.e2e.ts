import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendClient } from '../../shared/node/backend/client.js';
import { ROOT } from './support.js';

/**
 * Electron's way in for a settlement file: the renderer's bytes go through the
 * one invoke as a Uint8Array (structured clone, no base64) to the built backend
 * worker, the same hop the Electron main process makes after its IPC handler.
 */
let client: BackendClient;
let dataDir: string;
let session: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ic-worker-upload-'));
  client = await BackendClient.start(join(ROOT, 'dist', 'node', 'backend-worker.cjs'), dataDir);
  await client.invoke({ method: 'setup.createAdmin', input: { username: 'admin', displayName: '김관리', password: 'admin-password-1' } });
  const signIn = await client.invoke({ method: 'auth.signIn', input: { username: 'admin', password: 'admin-password-1' } });
  session = (signIn as { ok: true; result: { token: string } }).result.token;
});
afterAll(async () => {
  await client?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('reconcile.upload through the backend worker', () => {
  it('keeps the bytes as a private upload in the data folder and answers its id', async () => {
    const bytes = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) % 256);
    const env = await client.invoke({ method: 'reconcile.upload', input: { bytes }, session });
    expect(env.ok).toBe(true);
    const { uploadId } = (env as { ok: true; result: { uploadId: string; bytes: number } }).result;
    expect(readdirSync(join(dataDir, 'uploads'))).toEqual([uploadId]);
    expect(Buffer.compare(readFileSync(join(dataDir, 'uploads', uploadId)), Buffer.from(bytes))).toBe(0);
    const gone = await client.invoke({ method: 'reconcile.discardUpload', input: { uploadId }, session });
    expect(gone.ok).toBe(true);
    expect(readdirSync(join(dataDir, 'uploads'))).toEqual([]);
  });

  it('refuses base64 text where bytes belong, and a call without a session', async () => {
    const text = await client.invoke({ method: 'reconcile.upload', input: { bytes: 'aGVsbG8=' }, session });
    expect(text).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const anonymous = await client.invoke({ method: 'reconcile.upload', input: { bytes: new Uint8Array([1]) } });
    expect(anonymous).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(readdirSync(join(dataDir, 'uploads'))).toEqual([]);
  });
});
