import { contextBridge, ipcRenderer } from 'electron';
import type { ModFerryBridge } from '../../shared/ipc/contract';

// Sandboxed preloads can only require 'electron', so the bridge is a typed pass-through and main validates.
const bridge: ModFerryBridge = {
  invoke: (channel, request) => ipcRenderer.invoke(channel, request),
};

contextBridge.exposeInMainWorld('modferry', bridge);
