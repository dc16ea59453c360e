import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { APP_ENTRY, claimSingleInstance, guardContents, isAllowedNavigation, isAppUrl, isTrustedSender, parseInvokeRequest, resolveAppFile, secureWebPreferences } from './security.js';

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
      disableBlinkFeatures: 'Auxclick',
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

  it('stops navigation, frame navigation and redirects away from the console, webviews and new windows', () => {
    const contents = Object.assign(new EventEmitter(), { openHandler: undefined as undefined | (() => { action: string }) });
    guardContents({ on: (e, l) => contents.on(e, l), setWindowOpenHandler: (h) => (contents.openHandler = h) });
    const fire = (name: string, url: string) => {
      let prevented = false;
      const event = { url, preventDefault: () => (prevented = true) };
      if (name === 'will-frame-navigate') contents.emit(name, event);
      else contents.emit(name, event, url);
      return prevented;
    };
    for (const name of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
      expect(fire(name, 'https://attacker.example/'), name).toBe(true);
      expect(fire(name, 'file:///etc/passwd'), name).toBe(true);
      expect(fire(name, 'app://console/index.html#/rounds'), name).toBe(false);
    }
    expect(fire('will-attach-webview', 'app://console/')).toBe(true);
    expect(contents.openHandler?.()).toEqual({ action: 'deny' });
  });

  it('runs one console per data folder: a second launch focuses the first and quits', () => {
    const focus = vi.fn();
    const first = Object.assign(new EventEmitter(), { requestSingleInstanceLock: () => true, quit: vi.fn() });
    expect(claimSingleInstance(first, focus)).toBe(true);
    expect(first.quit).not.toHaveBeenCalled();
    first.emit('second-instance');
    expect(focus).toHaveBeenCalledTimes(1);
    const second = Object.assign(new EventEmitter(), { requestSingleInstanceLock: () => false, quit: vi.fn() });
    expect(claimSingleInstance(second, focus)).toBe(false);
    expect(second.quit).toHaveBeenCalledTimes(1);
    expect(second.listenerCount('second-instance')).toBe(0);
  });

  it('packages with the Electron fuses closed, and lints the shell with electronegativity in the type checks', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string>; build: Record<string, unknown> };
    expect(pkg.build.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    expect(pkg.build.asar).not.toBe(false);
    expect(pkg.scripts.typecheck).toContain('npm run lint:electron');
    expect(pkg.scripts['lint:electron']).toContain('scripts/lint-electron.ts');
  });
});
