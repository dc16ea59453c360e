import { HOST_SAVE_EXPORT, type HostSaveResult } from '../../../shared/api/host.js';
import { ApiError } from './api/client.js';
import { session } from './session.svelte.js';

/** In Electron an export is saved where the user picks (the host's save dialog); a browser downloads it instead. */
export function hostCanSave(): boolean {
  return window.consoleBridge !== undefined;
}

/** Asks the Electron host to save a finished export through its save dialog, in the signed-in user's name. */
export async function hostSaveExport(jobId: string): Promise<HostSaveResult> {
  const bridge = window.consoleBridge;
  if (!bridge) throw new Error('host.saveExport: not in the Electron host');
  const envelope = await bridge.invoke({ method: HOST_SAVE_EXPORT, input: { jobId }, session: session.current?.token });
  if (!envelope.ok) throw new ApiError(envelope.error);
  return envelope.result as HostSaveResult;
}
