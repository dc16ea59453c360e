import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { hostSaveExportInput, type HostSaveResult } from '../../api/host.js';
import type { Envelope, InvokeRequest } from '../../api/envelope.js';
import type { Output } from '../../api/contract.js';

export interface SaveExportDeps {
  /** The backend, called in the renderer's name (its session): ownership of the export is checked there. */
  invoke: (request: InvokeRequest) => Promise<Envelope>;
  /** Asks the user where to save (Electron's save dialog); null when they close it. */
  choosePath: (suggestedName: string) => Promise<string | null>;
}

/**
 * Writes a finished export to a file the user picks: the first chunk names
 * the file, the dialog picks the place, and the rest is read and written
 * chunk by chunk, so a 100 MB export never sits whole in the main process.
 * The Electron host's one piece of file work; kept out of electron/ so it is
 * tested without Electron.
 */
export async function saveExportToFile(rawInput: unknown, session: string | undefined, deps: SaveExportDeps): Promise<Envelope<HostSaveResult>> {
  const parsed = hostSaveExportInput.safeParse(rawInput);
  if (!parsed.success) return { ok: false, error: { code: 'invalid_input', key: 'errors.invalid_input', params: { detail: 'jobId' }, message: 'host.saveExport: expected { jobId }' } };
  const read = async (offset: number) => deps.invoke({ method: 'reports.download', input: { jobId: parsed.data.jobId, offset }, session }) as Promise<Envelope<Output<'reports.download'>>>;
  let chunk = await read(0);
  if (!chunk.ok) return chunk;
  const path = await deps.choosePath(chunk.result.filename);
  if (path === null) return { ok: true, result: { saved: false, filename: chunk.result.filename, size: chunk.result.size } };
  const fd = openSync(path, 'w');
  let failed: Envelope<never> | null = null;
  try {
    for (;;) {
      writeSync(fd, Buffer.from(chunk.result.base64, 'base64'));
      if (chunk.result.nextOffset === null) break;
      const next = await read(chunk.result.nextOffset);
      if (!next.ok) {
        failed = next;
        break;
      }
      chunk = next;
    }
  } finally {
    closeSync(fd);
  }
  // A file the backend stopped serving half-way is not left looking complete.
  if (failed) {
    rmSync(path, { force: true });
    return failed;
  }
  return { ok: true, result: { saved: true, filename: basename(path), size: chunk.result.size } };
}
