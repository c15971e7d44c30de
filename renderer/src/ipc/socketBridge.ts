import type { IpcChannel, JobProgressEvent, ModFerryBridge } from '../../../shared/ipc/contract';
import type { IpcErrorRecord, IpcReply } from '../../../shared/ipc/ipcError';
import { SOCKET_PATH, type SocketCall, type SocketMessage } from '../../../shared/ipc/socketWire';

/** The bridge over `modferry ui`'s WebSocket, for the page opened in a browser: the same contract preload gives Electron's window. */
export function socketBridge(url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${SOCKET_PATH}`): ModFerryBridge {
  let nextId = 0;
  let lost: IpcErrorRecord | undefined;
  const pending = new Map<number, (reply: IpcReply<unknown>) => void>();
  const listeners = new Set<(event: JobProgressEvent) => void>();
  const socket = new WebSocket(url);
  const opened = new Promise<void>((resolve) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('close', (event) => {
      lost = { kind: 'unreachable', message: `the connection to modferry ui closed (${event.code}${event.reason ? `: ${event.reason}` : ''}): is it still running? Reload the page to reconnect` };
      for (const answer of pending.values()) answer({ ok: false, error: lost });
      pending.clear();
      resolve();
    });
  });
  socket.addEventListener('message', (event: MessageEvent<string>) => {
    const message = JSON.parse(event.data) as SocketMessage;
    if (message.type === 'reply') {
      pending.get(message.id)?.(message.reply);
      pending.delete(message.id);
    } else {
      for (const listener of listeners) listener(message.event);
    }
  });

  const send = async (channel: IpcChannel, request: unknown, jobId?: string): Promise<IpcReply<unknown>> => {
    await opened;
    if (lost !== undefined) return { ok: false, error: lost };
    const id = nextId++;
    const call: SocketCall = { id, channel, request, ...(jobId === undefined ? {} : { jobId }) };
    return new Promise((resolve) => {
      pending.set(id, resolve);
      socket.send(JSON.stringify(call));
    });
  };

  return {
    // The server answers each channel with its own response type; the contract ties the two together.
    invoke: (channel, request, jobId) => send(channel, request, jobId) as ReturnType<ModFerryBridge['invoke']>,
    onProgress: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    cancel: (jobId) => send('job:cancel', { jobId }) as ReturnType<ModFerryBridge['cancel']>,
  };
}
