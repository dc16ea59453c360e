/**
 * Runs sandboxed with context isolation. Exposes exactly one function; the
 * renderer never sees ipcRenderer, Node or Electron.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { INVOKE_CHANNEL } from './channels.js';

contextBridge.exposeInMainWorld('consoleBridge', {
  invoke: (request: { method: string; input: unknown; session?: string }) =>
    ipcRenderer.invoke(INVOKE_CHANNEL, { method: String(request.method), input: request.input, session: request.session }),
});
