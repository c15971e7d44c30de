import type { ModFerryBridge } from '../../../shared/ipc/contract';
import { ipcClient } from '../../../shared/ipc/ipcClient';
import { socketBridge } from './socketBridge';

declare global {
  interface Window {
    /** Set by Electron's preload; absent when the page comes from `modferry ui`. */
    modferry?: ModFerryBridge;
  }
}

function newJobId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The app, as the screens call it: through preload in Electron, over the WebSocket in a browser. */
export const client = ipcClient(window.modferry ?? socketBridge(), newJobId);
