import type { Output } from '../../../../shared/api/contract.js';
import { send } from '../../lib/api/client.js';
import { saveBlob } from '../../lib/download.js';

/**
 * Reads a finished export back in chunks and hands it to the browser as a
 * download (the user's browser or Electron's save dialog picks the place).
 * The file was written by the backend; the UI thread only joins the pieces.
 */
export async function downloadExport(jobId: string): Promise<{ filename: string; size: number }> {
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
  return { filename, size };
}
