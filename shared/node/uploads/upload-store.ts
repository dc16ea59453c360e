import { randomUUID } from 'node:crypto';
import { createWriteStream, writeFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../../common/errors.js';
import { MAX_UPLOAD_MB } from '../../api/reconcile-schemas.js';
import { makePrivateDir } from '../paths.js';

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024;

const tooLarge = () => new AppError('invalid_input', 'reconcile.tooLarge', { max: MAX_UPLOAD_MB });

/**
 * Files on their way into an import, as private files in the data folder's
 * `uploads/` instead of base64 inside one JSON call (a 116 MB settlement file was
 * ~155 MB of JSON string, then a string, then a buffer, all at once).
 *
 * The web host streams a request body here (`receive`), Electron hands over the
 * bytes it was given (`put`); both give an upload id, and the import reads the
 * file by that id. A file is written as `<id>.part` and renamed when complete, so
 * a half-received one is never read. Over the cap, writing stops and the part is
 * removed. The import removes its upload; the renderer discards an abandoned one;
 * `clearLeftovers` at start removes whatever a crash left.
 */
export class UploadStore {
  constructor(readonly dir: string) {
    makePrivateDir(dir);
  }

  clearLeftovers(): number {
    let n = 0;
    for (const f of readdirSync(this.dir)) {
      rmSync(join(this.dir, f), { force: true });
      n++;
    }
    return n;
  }

  private file(id: string): string {
    if (!ID.test(id)) throw new AppError('invalid_input', 'reconcile.uploadNotFound');
    return join(this.dir, id);
  }

  /** Streams `body` to a new upload, refusing (and removing) it past `max` bytes. */
  async receive(body: Readable, max = MAX_UPLOAD_BYTES): Promise<{ uploadId: string; bytes: number }> {
    const uploadId = randomUUID();
    const part = `${this.file(uploadId)}.part`;
    const out = createWriteStream(part, { flags: 'wx', mode: 0o600 });
    let bytes = 0;
    // Set once refused: chunks the body still emits after an abort must not be written to the closing stream (a write
    // after destroy is an error on it, which would replace the refusal and skip the removal below).
    let refused = false;
    try {
      await new Promise<void>((resolve, reject) => {
        out.on('error', reject);
        body.on('error', reject);
        body.on('aborted', () => reject(new AppError('invalid_input', 'reconcile.uploadAborted')));
        body.on('data', (chunk: Buffer) => {
          if (refused) return;
          bytes += chunk.length;
          if (bytes > max) {
            body.pause();
            reject(tooLarge());
            return;
          }
          if (!out.write(chunk)) {
            body.pause();
            out.once('drain', () => body.resume());
          }
        });
        let ended = false;
        body.on('end', () => {
          ended = true;
          out.end(resolve);
        });
        // A connection that closes without an end or an error (the browser gave up) must not leave the part waiting.
        body.on('close', () => {
          if (!ended) reject(new AppError('invalid_input', 'reconcile.uploadAborted'));
        });
      });
      if (bytes === 0) throw new AppError('invalid_input', 'reconcile.uploadEmpty');
      renameSync(part, this.file(uploadId));
      return { uploadId, bytes };
    } catch (e) {
      // The part is opened asynchronously: a refusal in the first chunk can come before the file exists, and removing
      // it then would leave the file the open creates a moment later. Removed once the stream has closed.
      refused = true;
      out.destroy();
      await new Promise<void>((closed) => (out.closed ? closed() : out.once('close', () => closed())));
      rmSync(part, { force: true });
      throw e;
    }
  }

  /** Bytes already in memory (Electron's IPC hands over an ArrayBuffer), checked against the same cap. */
  put(bytes: Uint8Array, max = MAX_UPLOAD_BYTES): { uploadId: string; bytes: number } {
    if (bytes.length > max) throw tooLarge();
    if (bytes.length === 0) throw new AppError('invalid_input', 'reconcile.uploadEmpty');
    const uploadId = randomUUID();
    const part = `${this.file(uploadId)}.part`;
    try {
      // 'wx': a fresh file, 0600, never one that exists.
      writeFileSync(part, bytes, { flag: 'wx', mode: 0o600 });
      renameSync(part, this.file(uploadId));
    } catch (e) {
      rmSync(part, { force: true });
      throw e;
    }
    return { uploadId, bytes: bytes.length };
  }

  size(id: string): number {
    const f = this.file(id);
    if (!existsSync(f)) throw new AppError('not_found', 'reconcile.uploadNotFound');
    return statSync(f).size;
  }

  read(id: string): Buffer {
    const size = this.size(id);
    if (size > MAX_UPLOAD_BYTES) throw tooLarge();
    return readFileSync(this.file(id));
  }

  remove(id: string): void {
    rmSync(this.file(id), { force: true });
  }

  /** Removes uploads (and parts) last written before `before`: an upload waits an hour for its import, not until restart. */
  removeOlderThan(before: number): number {
    let n = 0;
    for (const f of readdirSync(this.dir)) {
      const path = join(this.dir, f);
      try {
        if (statSync(path).mtimeMs < before) {
          rmSync(path, { force: true });
          n++;
        }
      } catch {
        /* removed meanwhile by its import */
      }
    }
    return n;
  }
}

/** What one signed-in user may keep waiting in uploads/ at once, and for how long. */
export const UPLOAD_QUOTA_BYTES = 200 * 1024 * 1024;
export const UPLOAD_LIFE_MS = 60 * 60_000;

/**
 * Whose upload is whose (web host memory), so each user's waiting uploads are
 * counted against their quota; an upload its import removed counts no more.
 */
export class UploadQuota {
  private readonly owners = new Map<string, string>();

  constructor(
    private readonly store: UploadStore,
    readonly quota = UPLOAD_QUOTA_BYTES,
  ) {}

  used(userId: string): number {
    let bytes = 0;
    for (const [id, owner] of this.owners) {
      if (owner !== userId) continue;
      try {
        bytes += this.store.size(id);
      } catch {
        this.owners.delete(id);
      }
    }
    return bytes;
  }

  record(uploadId: string, userId: string): void {
    this.owners.set(uploadId, userId);
  }
}
