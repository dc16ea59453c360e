import { isAbsolute, normalize, relative, resolve, sep } from 'node:path';
import type { InvokeRequest } from '../shared/api/envelope.js';

/** The renderer is served from app://console/, never file://, so it has a real origin to check. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'console';
export const APP_ENTRY = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Electron's security checklist, in one place so a test can hold it. */
export function secureWebPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    // Middle-click would ask for a new window; the open handler denies it anyway, this stops it earlier.
    disableBlinkFeatures: 'Auxclick',
  } as const;
}

export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    // WHATWG gives custom schemes an opaque origin ("null"), so compare the parts.
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** The console never navigates away from itself; links out are not part of it. */
export function isAllowedNavigation(url: string): boolean {
  return isAppUrl(url);
}

interface Preventable {
  preventDefault(): void;
}

/** The part of webContents the guards use; a test drives it with a stand-in. */
export interface GuardableContents {
  on(event: string, listener: (...args: any[]) => void): unknown;
  setWindowOpenHandler(handler: () => { action: 'deny' }): void;
}

/**
 * Every webContents stays on the console: top-level and frame navigations and
 * redirects away from app://console are stopped, webviews are never attached
 * and new windows never open. will-frame-navigate also covers subframes,
 * which will-navigate does not see.
 */
export function guardContents(contents: GuardableContents): void {
  const block = (event: Preventable, url: string) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  };
  contents.on('will-navigate', block);
  contents.on('will-redirect', block);
  contents.on('will-frame-navigate', (details: Preventable & { url: string }) => block(details, details.url));
  contents.on('will-attach-webview', (event: Preventable) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** The part of Electron's app the single-instance lock uses. */
export interface SingleInstanceApp {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance', listener: () => void): unknown;
  quit(): void;
}

/**
 * One console per data folder: two would run two backends on one SQLite
 * ledger. A second launch quits and brings the first one's window forward.
 * Returns false in the instance that must quit.
 */
export function claimSingleInstance(app: SingleInstanceApp, focusExisting: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', focusExisting);
  return true;
}

/**
 * IPC is answered only for the console's own window showing the console's own
 * page: not another window, not a frame, not a page it was tricked into loading.
 */
export function isTrustedSender(sender: { frameUrl: string | undefined; isMainFrame: boolean; fromConsoleWindow: boolean }): boolean {
  return sender.fromConsoleWindow && sender.isMainFrame && isAppUrl(sender.frameUrl);
}

/** Maps app://console/<path> to a file under root, refusing anything that escapes it. */
export function resolveAppFile(root: string, requestUrl: string): string | null {
  if (!isAppUrl(requestUrl)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(requestUrl).pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const wanted = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  const full = resolve(root, normalize(wanted));
  const rel = relative(resolve(root), full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return null;
  return full;
}

/** The preload sends `{method, input, session}`; anything else is dropped before the backend sees it. */
export function parseInvokeRequest(raw: unknown): InvokeRequest | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.method !== 'string' || r.method.length > 100) return null;
  if (r.session !== undefined && typeof r.session !== 'string') return null;
  return { method: r.method, input: r.input, session: r.session as string | undefined };
}
