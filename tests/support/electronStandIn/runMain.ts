// Loads the built Electron main process (dist/electron/main/main.js) under plain Node with a stand-in for
// the 'electron' module, since Electron's binary cannot run here, and prints what main set up as one JSON
// line: the window's options, what its web contents handlers answer, the permission handler's answer, and
// what the IPC handlers do for the app's page, a frame inside it and another page.
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// The stand-in takes what main passes as it is: main is the code under test, and tsc checks it against Electron's own types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => unknown;

const mainFile = process.argv[2]!;
const windows: BrowserWindow[] = [];
const appEvents = new Map<string, Listener>();
const ipcHandlers = new Map<string, Listener>();
let permissionHandler: Listener = () => undefined;
const dialogs: unknown[] = [];

class WebContents {
  mainFrame = { processId: 7, routingId: 1, url: '' };
  events = new Map<string, Listener>();
  setWindowOpenHandler?: (fn: Listener) => void;
  on(name: string, fn: Listener): void {
    this.events.set(name, fn);
  }
  send() {}
}
class BrowserWindow {
  webContents = new WebContents();
  loaded?: string;
  constructor(readonly options: { webPreferences: Record<string, unknown> & { preload: string } }) {
    windows.push(this);
  }
  static getAllWindows() {
    return windows;
  }
  on() {}
  isDestroyed() {
    return false;
  }
  loadFile(file: string): Promise<void> {
    this.loaded = file;
    this.webContents.mainFrame.url = pathToFileURL(file).href;
    return Promise.resolve();
  }
  reload() {}
}
const electron = {
  app: { on: (name: string, fn: Listener) => appEvents.set(name, fn), whenReady: () => Promise.resolve(), isReady: () => true, quit() {} },
  BrowserWindow,
  dialog: {
    showMessageBox: (_window: unknown, options: unknown) => (dialogs.push(options), Promise.resolve({ response: 0 })),
    showErrorBox: (title: string, text: string) => dialogs.push({ title, text }),
    showMessageBoxSync: () => 0,
  },
  ipcMain: { handle: (channel: string, fn: Listener) => ipcHandlers.set(channel, fn) },
  session: { defaultSession: { setPermissionRequestHandler: (fn: Listener) => (permissionHandler = fn) } },
};
const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const load = loader._load;
loader._load = function (this: unknown, request: string, ...rest: unknown[]) {
  return request === 'electron' ? electron : load.call(this, request, ...rest);
};

async function main(): Promise<void> {
  createRequire(__filename)(mainFile);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const window = windows[0]!;
  const page = window.webContents.mainFrame;

  const contents = new WebContents();
  let openHandler: Listener | undefined;
  contents.setWindowOpenHandler = (fn) => (openHandler = fn);
  appEvents.get('web-contents-created')?.({}, contents);
  const prevented: Record<string, boolean> = {};
  for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
    let stopped = false;
    contents.events.get(name)?.({ preventDefault: () => (stopped = true) }, 'https://elsewhere.example/');
    prevented[name] = stopped;
  }
  const permission = await new Promise((resolve) => permissionHandler(contents, 'media', resolve));

  const call = async (frame: unknown): Promise<{ ok?: unknown; refused?: string }> => {
    try {
      return { ok: await ipcHandlers.get('app:info')?.({ senderFrame: frame }, {}, undefined) };
    } catch (error) {
      return { refused: (error as Error).message };
    }
  };
  const ipc = {
    page: await call({ ...page }),
    subframe: await call({ ...page, routingId: 2 }),
    elsewhere: await call({ ...page, url: 'https://elsewhere.example/' }),
  };
  process.stdout.write(
    JSON.stringify({
      webPreferences: { ...window.options.webPreferences, preload: path.basename(window.options.webPreferences.preload) },
      loaded: window.loaded,
      windowOpen: openHandler?.({ url: 'https://elsewhere.example/' }),
      prevented,
      permission,
      channels: [...ipcHandlers.keys()],
      ipc,
      dialogs,
    }) + '\n',
  );
  process.exit(0);
}
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
