import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from '../../../tests/support/backend-harness.js';
import { UploadStore } from './upload-store.js';

let dir: string;
let store: UploadStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ic-uploads-'));
  store = new UploadStore(join(dir, 'uploads'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const files = () => readdirSync(store.dir);

describe('UploadStore', () => {
  it('refuses bytes over the cap, and empty ones, writing nothing', () => {
    expect(() => store.put(new Uint8Array(11), 10)).toThrow(/reconcile.tooLarge/);
    expect(() => store.put(new Uint8Array(0))).toThrow(/reconcile.uploadEmpty/);
    expect(files()).toEqual([]);
  });

  it('removes the partial file when the sender goes away mid-upload', async () => {
    const body = new PassThrough();
    const receiving = store.receive(body);
    body.write(Buffer.alloc(1000));
    await new Promise((r) => setTimeout(r, 20));
    expect(files().some((f) => f.endsWith('.part'))).toBe(true);
    body.destroy(new Error('socket hang up'));
    await expect(receiving).rejects.toThrow();
    expect(files()).toEqual([]);
  });

  it('names uploads only by their id: a path or another name is refused', () => {
    writeFileSync(join(dir, 'secret'), 'x');
    for (const id of ['../secret', 'secret', '', '00000000-0000-4000-8000-00000000000g']) {
      expect(() => store.read(id)).toThrow(/reconcile.uploadNotFound/);
    }
    const { uploadId } = store.put(new Uint8Array([1, 2, 3]));
    expect([...store.read(uploadId)]).toEqual([1, 2, 3]);
  });

  it('receives a stream exactly at the cap, and refuses one byte more', async () => {
    const ok = await store.receive(Readable.from([Buffer.alloc(6), Buffer.alloc(4)]), 10);
    expect(ok.bytes).toBe(10);
    await expect(store.receive(Readable.from([Buffer.alloc(6), Buffer.alloc(5)]), 10)).rejects.toThrow(/reconcile.tooLarge/);
    expect(files()).toEqual([ok.uploadId]);
  });

  it('leaves no part behind when the first chunk is already over the cap (refused before the part was opened)', async () => {
    for (let i = 0; i < 20; i++) {
      await expect(store.receive(Readable.from([Buffer.alloc(11)]), 10)).rejects.toThrow(/reconcile.tooLarge/);
      expect(files()).toEqual([]);
    }
  });
});

describe('reconcile.upload (Electron: the bytes through the one invoke)', () => {
  it('takes binary only, from reconcilers only', async () => {
    const h = await Harness.start();
    try {
      const admin = await h.admin();
      const clerk = (await h.user(admin, 'mapo', 'clerk', '11440')).session;
      expect((await h.fail('reconcile.upload', { bytes: 'aGVsbG8=' } as never, admin)).code).toBe('invalid_input');
      expect((await h.fail('reconcile.upload', { bytes: new Uint8Array(0) }, admin)).code).toBe('invalid_input');
      expect((await h.fail('reconcile.upload', { bytes: new Uint8Array([1]) }, clerk)).code).toBe('forbidden');
      expect(readdirSync(h.backend.deps.uploads.dir)).toEqual([]);
      const { uploadId, bytes } = await h.call('reconcile.upload', { bytes: new Uint8Array([104, 105]) }, admin);
      expect(bytes).toBe(2);
      expect(readdirSync(h.backend.deps.uploads.dir)).toEqual([uploadId]);
    } finally {
      await h.close();
    }
  });
});
