/**
 * Electron main process: a thin shell. It opens one hardened window on the
 * built renderer, starts the backend worker (which owns the database) and
 * forwards checked IPC calls to it.
 */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, safeStorage, session } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Envelope } from '../shared/api/envelope.js';
import { HOST_SAVE_EXPORT } from '../shared/api/host.js';
import { BackendClient } from '../shared/node/backend/client.js';
import { saveExportToFile } from '../shared/node/reports/save-export.js';
import { dataDirOverride } from '../shared/node/paths.js';
import { CONTENT_SECURITY_POLICY } from '../shared/node/web/csp.js';
import { INVOKE_CHANNEL } from './channels.js';
import { confirmUnsavedClose } from './unsaved-close.js';
import { loadDataKey } from './data-key.js';
import {
  APP_ENTRY,
  APP_SCHEME,
  claimSingleInstance,
  guardContents,
  isTrustedSender,
  parseInvokeRequest,
  resolveAppFile,
  secureWebPreferences,
} from './security.js';

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

// `--data-dir` must take effect before anything asks for userData.
const override = dataDirOverride(process.argv);
if (override) app.setPath('userData', override);
app.enableSandbox();

const rendererDir = join(__dirname, '..', 'renderer');
let backend: BackendClient | undefined;
let consoleWindow: BrowserWindow | undefined;

function refused(detail: string): Envelope {
  return { ok: false, error: { code: 'forbidden', key: 'errors.forbidden', message: `IPC refused: ${detail}` } };
}

app.on('web-contents-created', (_event, contents) => guardContents(contents));

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: '발행 관리 콘솔',
    webPreferences: secureWebPreferences(join(__dirname, 'preload.cjs')),
  });
  win.once('ready-to-show', () => win.show());
  confirmUnsavedClose(win.webContents, (options) => dialog.showMessageBoxSync(win, options));
  void win.loadURL(APP_ENTRY);
  return win;
}

async function start(): Promise<void> {
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(rendererDir, request.url);
    if (!file) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('content-security-policy', CONTENT_SECURITY_POLICY);
    headers.set('x-content-type-options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });

  // safeStorage works only after 'ready'. The key goes to the worker in its start data, never to disk in plain text.
  const userData = app.getPath('userData');
  const dataKey = loadDataKey(userData, safeStorage, (m) => console.warn(`Issuance Console: ${m}`));
  backend = await BackendClient.start(join(__dirname, '..', 'node', 'backend-worker.cjs'), userData, dataKey.key);

  ipcMain.handle(INVOKE_CHANNEL, async (event, raw: unknown): Promise<Envelope> => {
    const frame = event.senderFrame;
    const trusted = isTrustedSender({
      frameUrl: frame?.url,
      isMainFrame: frame !== null && frame === event.sender.mainFrame,
      fromConsoleWindow: consoleWindow !== undefined && event.sender === consoleWindow.webContents,
    });
    if (!trusted) return refused('sender is not the console window');
    const request = parseInvokeRequest(raw);
    if (!request) return refused('malformed request');
    if (!backend) return refused('backend not running');
    const client = backend;
    // Exports go to a file the user picks; the file work is in save-export.ts, the dialog here.
    if (request.method === HOST_SAVE_EXPORT) {
      return saveExportToFile(request.input, request.session, {
        invoke: (r) => client.invoke(r),
        choosePath: async (name) => {
          const options = { defaultPath: join(app.getPath('downloads'), name) };
          const picked = consoleWindow ? await dialog.showSaveDialog(consoleWindow, options) : await dialog.showSaveDialog(options);
          return picked.canceled || !picked.filePath ? null : picked.filePath;
        },
      });
    }
    return backend.invoke(request);
  });

  consoleWindow = createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) consoleWindow = createWindow();
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => {
  void backend?.close();
});

function focusExisting(): void {
  if (!consoleWindow || consoleWindow.isDestroyed()) return;
  if (consoleWindow.isMinimized()) consoleWindow.restore();
  consoleWindow.show();
  consoleWindow.focus();
}

// Taken after --data-dir is applied: Electron keys the lock on the userData folder, so two data folders may run side by side.
if (claimSingleInstance(app, focusExisting)) {
  start().catch((e: unknown) => {
    console.error('Issuance Console failed to start:', e);
    app.exit(1);
  });
}
