import type { Output } from '#shared/api/contract.js';
import { ApiError, send } from '../../lib/api/client.js';
import { saveBlob } from '../../lib/download.js';
import { saveThroughHost } from '../../lib/host-save.js';
import { session } from '../../lib/session.svelte.js';

/**
 * Saves a finished export: in Electron the host asks where (its save dialog)
 * and writes the file itself; in a browser the export is read back in chunks
 * and handed over as a download. `saved` false: the user closed the dialog.
 */
export async function downloadExport(jobId: string): Promise<{ filename: string; size: number; saved: boolean }> {
  const bridge = window.consoleBridge;
  if (bridge) {
    const answer = await saveThroughHost(bridge, jobId, session.current?.token);
    if (!answer.ok) throw new ApiError(answer.error);
    return answer.result;
  }
  const parts: BlobPart[] = [];
  let offset: number | null = 0;
  let filename = 'export';
  let mime = 'application/octet-stream';
  let size = 0;
  while (offset !== null) {
    const chunk: Output<'reports.download'> = await send('reports.download', { jobId, offset });
    const bin = atob(chunk.base64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    parts.push(bytes);
    ({ filename, mime, size } = chunk);
    offset = chunk.nextOffset;
  }
  saveBlob(new Blob(parts, { type: mime }), filename);
  return { filename, size, saved: true };
}
