import type { Envelope, InvokeRequest } from '#shared/api/envelope.js';

interface ConsoleBridge {
  invoke(request: InvokeRequest): Promise<Envelope>;
}

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a plain browser. */
    consoleBridge?: ConsoleBridge;
  }
}

const HOST_TOKEN_KEY = 'console.hostToken';

/**
 * The web host prints its URL with `?token=`; keep the token for this tab
 * and take it out of the address bar so it is not bookmarked or shared.
 */
export function hostToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(HOST_TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
  }
  return sessionStorage.getItem(HOST_TOKEN_KEY) ?? '';
}

function networkError(detail: string): Envelope {
  return { ok: false, error: { code: 'internal', key: 'errors.network', message: `Cannot reach the console backend (${detail})` } };
}

/** IPC through the preload in Electron; HTTP to the loopback web host in a browser. Same envelopes either way. */
export function createTransport(): (request: InvokeRequest) => Promise<Envelope> {
  const bridge = window.consoleBridge;
  if (bridge) return (request) => bridge.invoke(request);
  const token = hostToken();
  return async (request) => {
    let response: Response;
    try {
      response = await fetch('./api/invoke', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-console-token': token,
          ...(request.session ? { 'x-console-session': request.session } : {}),
        },
        body: JSON.stringify({ method: request.method, input: request.input }),
      });
    } catch (e) {
      return networkError(e instanceof Error ? e.message : String(e));
    }
    try {
      return (await response.json()) as Envelope;
    } catch {
      return networkError(`HTTP ${response.status}`);
    }
  };
}
