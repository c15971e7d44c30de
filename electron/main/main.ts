import { app, BrowserWindow, ipcMain } from 'electron';
import path from 'node:path';
import { ipcChannels } from '../../shared/ipc/contract';
import { ipcHandlers, validateRequest } from './ipcHandlers';

function createWindow(): void {
  const window = new BrowserWindow({
    width: 1100,
    height: 760,
    title: 'ModFerry',
    webPreferences: {
      preload: path.join(__dirname, '../preload/preload.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  void window.loadFile(path.join(__dirname, '../../renderer/index.html'));
}

function wireIpc(): void {
  for (const channel of ipcChannels) {
    ipcMain.handle(channel, (_event, request: unknown) => ipcHandlers[channel](validateRequest(channel, request)));
  }
}

void app.whenReady().then(() => {
  wireIpc();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
