import { app, BrowserWindow, dialog, ipcMain, session, type IpcMainInvokeEvent } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import packageJson from '../../package.json';
import { errorMessage } from '../../shared/errorMessage';
import { ipcChannels, PROGRESS_EVENT } from '../../shared/ipc/contract';
import { appDirs } from '../core/appDirs/appDirs';
import { createAppSession, type AppSession } from '../core/appApi/appSession';
import { appendErrorLog } from '../core/appApi/errorLog';

const context = { dirs: appDirs(), toolVersion: packageJson.version };
const pageFile = path.join(__dirname, '../../renderer/index.html');
const pageUrl = pathToFileURL(pageFile).href;

let window: BrowserWindow | undefined;
let appSession: AppSession | undefined;
/** The jobs of a closed window cleaning up: the app quits once they have. */
let cleaningUp: Promise<void> = Promise.resolve();

function createWindow(): void {
  const created = new BrowserWindow({
    width: 1100,
    height: 760,
    title: 'ModFerry',
    webPreferences: {
      preload: path.join(__dirname, '../preload/preload.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  window = created;
  appSession = createAppSession(context, {
    send: (event) => {
      if (!created.isDestroyed()) created.webContents.send(PROGRESS_EVENT, event);
    },
    onUnexpected: (error, channel) => reportUnexpected(`handling ${channel}`, error),
  });
  created.on('closed', () => {
    const closing = appSession?.close() ?? Promise.resolve();
    cleaningUp = Promise.all([cleaningUp, closing]).then(() => undefined);
    appSession = undefined;
    window = undefined;
  });
  // The page asks before it is closed while work runs (beforeunload); Electron would otherwise keep the window open without a word.
  created.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(created, {
      type: 'question',
      buttons: ['Keep working', 'Close and cancel the work'],
      defaultId: 0,
      cancelId: 0,
      message: 'ModFerry is still working',
      detail: 'Closing now cancels it, and what it wrote so far is removed.',
    });
    if (choice === 1) event.preventDefault();
  });
  created.webContents.on('render-process-gone', (_event, details) => {
    reportUnexpected('the window', new Error(`the page stopped (${details.reason}); it is reloaded`));
    created.reload();
  });
  void created.loadFile(pageFile);
}

/** Only the app's own page in the window's main frame may call: not a frame inside it, not a page it was steered to. */
function fromAppPage(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  const main = window?.webContents.mainFrame;
  if (!frame || !main || frame.processId !== main.processId || frame.routingId !== main.routingId) return false;
  return frame.url.split('#')[0] === pageUrl;
}

function wireIpc(): void {
  for (const channel of ipcChannels) {
    ipcMain.handle(channel, async (event, request: unknown, jobId: unknown) => {
      if (!fromAppPage(event) || !appSession) throw new Error(`${channel}: refused a call from ${event.senderFrame?.url ?? 'a frame that is gone'}`);
      return appSession.dispatch(channel, request, jobId);
    });
  }
}

/** Everything the app did not plan for is written to the error log and shown; the window stays. */
function reportUnexpected(where: string, error: unknown): void {
  appendErrorLog(context.dirs, where, error).then(
    (file) => showError(where, error, `Written to ${file}.`),
    (logError: unknown) => showError(where, error, `It could not be written to the error log: ${errorMessage(logError)}`),
  );
}

function showError(where: string, error: unknown, detail: string): void {
  const message = `Unexpected error while ${where}: ${errorMessage(error)}`;
  if (window && !window.isDestroyed()) void dialog.showMessageBox(window, { type: 'error', title: 'ModFerry', message, detail });
  else if (app.isReady()) dialog.showErrorBox('ModFerry', `${message}\n\n${detail}`);
}

process.on('uncaughtException', (error) => reportUnexpected('running', error));
process.on('unhandledRejection', (reason) => reportUnexpected('running', reason));

// Every page the app shows is its own: no pop-ups, no navigation away, no embedded guests, no permissions.
app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  wireIpc();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  // Cancelled work removes what it wrote before the process goes, as after Ctrl+C in the CLI.
  if (process.platform !== 'darwin') void cleaningUp.finally(() => app.quit());
});
