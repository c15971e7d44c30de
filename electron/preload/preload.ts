import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { JobProgressEvent, ModFerryBridge, PROGRESS_EVENT } from '../../shared/ipc/contract';

// A sandboxed preload can require nothing but 'electron', so the contract comes in as types only,
// and main checks every request against the contract's schemas.
const progressChannel: typeof PROGRESS_EVENT = 'job:progress';

const bridge: ModFerryBridge = {
  invoke: (channel, request, jobId) => ipcRenderer.invoke(channel, request, jobId),
  onProgress: (listener) => {
    const onEvent = (_event: IpcRendererEvent, progress: JobProgressEvent): void => listener(progress);
    ipcRenderer.on(progressChannel, onEvent);
    return () => {
      ipcRenderer.off(progressChannel, onEvent);
    };
  },
  cancel: (jobId) => ipcRenderer.invoke('job:cancel', { jobId }),
};

contextBridge.exposeInMainWorld('modferry', bridge);
