import type { Envelope, InvokeRequest } from '#shared/api/envelope.js';
import { HOST_SAVE_EXPORT, type HostSaveResult } from '#shared/api/host.js';

/** The Electron preload's one function; absent in a browser. */
export interface HostBridge {
  invoke(request: InvokeRequest): Promise<Envelope>;
}

/**
 * Asks the Electron host to save a finished export through its save dialog,
 * in the signed-in user's name (the backend checks the export is theirs).
 * In a browser there is no bridge and the export is downloaded instead.
 */
export async function saveThroughHost(bridge: HostBridge, jobId: string, token: string | undefined): Promise<Envelope<HostSaveResult>> {
  return (await bridge.invoke({ method: HOST_SAVE_EXPORT, input: { jobId }, session: token })) as Envelope<HostSaveResult>;
}
