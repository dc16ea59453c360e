import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ENTRY, isAllowedNavigation, isAppUrl, isTrustedSender, parseInvokeRequest, resolveAppFile, secureWebPreferences } from './security.js';

describe('electron security checklist', () => {
  it('isolates and sandboxes the renderer with no Node', () => {
    expect(secureWebPreferences('/p.cjs')).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('allows navigation only within app://console', () => {
    expect(isAllowedNavigation(APP_ENTRY)).toBe(true);
    expect(isAllowedNavigation('app://console/index.html#/rounds')).toBe(true);
    expect(isAllowedNavigation('https://example.com/')).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd')).toBe(false);
    expect(isAllowedNavigation('app://evil/index.html')).toBe(false);
    expect(isAllowedNavigation('app://user:pw@console/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('answers IPC only from the console window’s main frame on the app origin', () => {
    const ok = { frameUrl: 'app://console/index.html', isMainFrame: true, fromConsoleWindow: true };
    expect(isTrustedSender(ok)).toBe(true);
    expect(isTrustedSender({ ...ok, fromConsoleWindow: false })).toBe(false);
    expect(isTrustedSender({ ...ok, isMainFrame: false })).toBe(false);
    expect(isTrustedSender({ ...ok, frameUrl: 'https://attacker.example/' })).toBe(false);
    expect(isTrustedSender({ ...ok, frameUrl: undefined })).toBe(false);
  });

  it('serves files only from inside the renderer folder', () => {
    const root = resolve('/opt/console/renderer');
    expect(resolveAppFile(root, 'app://console/')).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://console/assets/index-abc.js')).toBe(join(root, 'assets/index-abc.js'));
    // URL parsing folds dot segments (also %2e%2e) before the path is mapped: still inside the root.
    expect(resolveAppFile(root, 'app://console/../../etc/passwd')).toBe(join(root, 'etc/passwd'));
    expect(resolveAppFile(root, 'app://console/%2e%2e/%2e%2e/etc/passwd')).toBe(join(root, 'etc/passwd'));
    expect(resolveAppFile(root, 'app://console/a/..%2f..%2f..%2fetc/passwd')).toBeNull();
    expect(resolveAppFile(root, 'app://console/assets/%00.js')).toBeNull();
    expect(resolveAppFile(root, 'app://other/index.html')).toBeNull();
  });

  it('drops malformed IPC requests', () => {
    expect(parseInvokeRequest({ method: 'rounds.list', input: {}, session: 't' })).toEqual({ method: 'rounds.list', input: {}, session: 't' });
    expect(parseInvokeRequest(null)).toBeNull();
    expect(parseInvokeRequest({ method: 5 })).toBeNull();
    expect(parseInvokeRequest({ method: 'x'.repeat(101) })).toBeNull();
    expect(parseInvokeRequest({ method: 'a', session: 7 })).toBeNull();
  });
});
