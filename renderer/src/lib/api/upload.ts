import type { Envelope } from '#shared/api/envelope.js';
import { MAX_UPLOAD_MB } from '#shared/api/reconcile-schemas.js';
import { ApiError, send } from './client.js';
import { hostToken } from './transport.js';
import { session } from '../session.svelte.js';

const failure = (key: string, message: string, params: Record<string, string | number> = {}) =>
  new ApiError({ code: 'invalid_input', key, message, params });

/**
 * Puts a file where an import can read it and gives its upload id: as raw bytes
 * with upload progress to the web host (POST /api/upload, streamed to disk
 * there), or through Electron's one invoke as an ArrayBuffer. Never base64 in
 * JSON: a million-row settlement file is ~100 MB. Too large a file is refused
 * here, before a byte moves, with the same message the backend gives.
 */
export async function uploadFile(file: File, onProgress: (fraction: number) => void, signal: AbortSignal): Promise<string> {
  if (file.size > MAX_UPLOAD_MB * 1024 * 1024) throw failure('reconcile.tooLarge', `at most ${MAX_UPLOAD_MB} MB`, { max: MAX_UPLOAD_MB });
  if (window.consoleBridge) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (signal.aborted) throw failure('reconcile.cancelled', 'cancelled');
    onProgress(0.5);
    const { uploadId } = await send('reconcile.upload', { bytes });
    onProgress(1);
    return uploadId;
  }
  return new Promise<string>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', './api/upload');
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('x-console-token', hostToken());
    // Only a signed-in reconciler may upload: the host token alone is refused.
    const token = session.current?.token;
    if (token) xhr.setRequestHeader('x-console-session', token);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / Math.max(1, e.total));
    };
    xhr.onload = () => {
      let env: Envelope<{ uploadId: string }> | null = null;
      try {
        env = JSON.parse(xhr.responseText) as Envelope<{ uploadId: string }>;
      } catch {
        env = null;
      }
      if (env?.ok) resolve(env.result.uploadId);
      else reject(env ? new ApiError(env.error) : failure('errors.network', `HTTP ${xhr.status}`));
    };
    xhr.onerror = () => reject(failure('reconcile.uploadAborted', 'upload failed'));
    xhr.onabort = () => reject(failure('reconcile.cancelled', 'cancelled'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
