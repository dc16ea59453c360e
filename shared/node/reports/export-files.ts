import { mkdtempSync, openSync, readSync, closeSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../common/errors.js';

/** Read back in pieces this big: a chunk crosses IPC or HTTP as base64 (~2.7 MB). */
export const CHUNK_BYTES = 2 * 1024 * 1024;

interface ExportFile {
  path: string;
  filename: string;
  mime: string;
  ownerId: string;
}

/**
 * Finished export files, by the id of the job that wrote them. They live in
 * a private temporary folder until read to the end or the process exits, and
 * only the user who started the export can read theirs.
 */
export class ExportFiles {
  private dir: string | null = null;
  private readonly files = new Map<string, ExportFile>();

  /** A fresh path for a job's file. */
  pathFor(jobId: string, ext: string): string {
    this.dir ??= mkdtempSync(join(tmpdir(), 'issuance-exports-'));
    return join(this.dir, `${jobId}.${ext}`);
  }

  register(jobId: string, file: ExportFile): void {
    this.files.set(jobId, file);
  }

  read(jobId: string, ownerId: string, offset: number): { filename: string; mime: string; size: number; base64: string; nextOffset: number | null } {
    const file = this.files.get(jobId);
    if (!file || file.ownerId !== ownerId) throw new AppError('not_found', 'reports.exportNotFound');
    const size = statSync(file.path).size;
    const length = Math.max(0, Math.min(CHUNK_BYTES, size - offset));
    const buf = Buffer.alloc(length);
    const fd = openSync(file.path, 'r');
    try {
      readSync(fd, buf, 0, length, offset);
    } finally {
      closeSync(fd);
    }
    const end = offset + length;
    return { filename: file.filename, mime: file.mime, size, base64: buf.toString('base64'), nextOffset: end < size ? end : null };
  }

  discard(jobId: string): void {
    const file = this.files.get(jobId);
    if (file) rmSync(file.path, { force: true });
    this.files.delete(jobId);
  }
}

/** One per process: the backend worker owns the exports of its console. */
export const exportFiles = new ExportFiles();
