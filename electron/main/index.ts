import { app, BrowserWindow, dialog, Menu, shell } from 'electron';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApiHandlers } from '../host/api-handlers';
import { EventCoalescer } from '../host/api/event-coalescer';
import { createNodeHostDeps } from '../host/api/node-host-deps';
import { createFileLogger } from '../host/logging';
import { RunManager } from '../host/run-manager';
import { spawnUtilityWorker } from './utility-worker-launcher';
import { registerIpc } from './ipc';
import { menuTemplate } from './menu';
import { isAppUrl, isSafeExternalUrl, mainWindowOptions } from './window-options';
import { loadWindowState, saveWindowState } from './window-state';

/**
 * Electron main: app lifecycle, the one hardened window, the menu and IPC registration. The
 * contract handlers are the same as the browser host's (electron/host/api-handlers.ts).
 */
let win: BrowserWindow | null = null;
let runService: RunManager | null = null;

// main.cjs and preload.cjs are bundled side by side into dist/electron; the renderer into dist/renderer.
const preloadPath = path.join(__dirname, 'preload.cjs');
const workerScript = path.join(__dirname, '..', 'workers', 'worker-main.js');
const rendererIndex = path.join(__dirname, '..', 'renderer', 'index.html');
const appUrl = pathToFileURL(rendererIndex).toString();

app.enableSandbox();

// Defence in depth for every web contents, including any a bug might create.
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

async function start(): Promise<void> {
  const dataDir = app.getPath('userData');
  const runsRoot = path.join(app.getPath('documents'), 'Tile Compile', 'runs');
  const appLog = createFileLogger([{ file: path.join(app.getPath('logs'), 'host.log'), archives: 5 }]);
  appLog.info(`Tile Compile ${app.getVersion()} started; runs in ${runsRoot}`);
  // Workers are utility processes running the bundled worker entry (the same file the CLI forks);
  // each run's folder gets their logs.
  runService ??= new RunManager({ workerScript, appLog, spawnWorker: spawnUtilityWorker });
  const deps = await createNodeHostDeps({ host: 'electron', runsRoot, dataDir, runService });
  const handlers = createApiHandlers({
    ...deps,
    async chooseFolder(title) {
      const r = win
        ? await dialog.showOpenDialog(win, { title: title ?? 'Choose the folder with your light frames', properties: ['openDirectory'] })
        : await dialog.showOpenDialog({ properties: ['openDirectory'] });
      return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
    },
    async openFolder(p) {
      return (await shell.openPath(p)) === '';
    },
  });
  registerIpc(handlers, deps.guard, () => win, appUrl);

  const coalescer = new EventCoalescer((batch) => {
    // Never send to a destroyed window (STYLE.md 6).
    if (!win || win.isDestroyed()) return;
    for (const payload of batch) win.webContents.send('run:event', payload);
  });
  runService.subscribe((runDir, event) => coalescer.push(runDir, event));

  const stateFile = path.join(dataDir, 'window-state.json');
  const bounds = await loadWindowState(stateFile);
  win = new BrowserWindow(mainWindowOptions(preloadPath, bounds));
  if (bounds.maximized) win.maximize();
  win.once('ready-to-show', () => win?.show());
  win.on('close', () => {
    if (!win) return;
    void saveWindowState(stateFile, { ...win.getNormalBounds(), maximized: win.isMaximized() });
  });
  win.on('closed', () => {
    win = null;
  });
  // Files dropped outside the drop zone must not navigate the window away.
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  const send = (payload: { action: 'chooseFolder' | 'demo' | 'openView' | 'toggleNight'; view?: string }) => {
    if (win && !win.isDestroyed()) win.webContents.send('app:menu', payload);
  };
  const recent = deps.recent.list().map((dir) => ({
    label: dir,
    click: () => {
      deps.guard.allow(dir);
      send({ action: 'openView', view: 'input' });
    },
  }));
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(process.platform === 'darwin', send, recent)));
  await win.loadFile(rendererIndex);
}

// A run in progress is cancelled (it stays resumable) before the app exits.
let quitting = false;
app.on('before-quit', (e) => {
  if (quitting || runService === null) return;
  e.preventDefault();
  quitting = true;
  void runService.shutdown().finally(() => app.quit());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('activate', () => {
  if (BrowserWindow.getAllWindows().length === 0) void start();
});
void app.whenReady().then(start);
