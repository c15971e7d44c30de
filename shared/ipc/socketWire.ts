import type { JobProgressEvent } from './contract';
import type { IpcReply } from './ipcError';

/** One call from the browser over the ui WebSocket (checked on arrival by socketCallSchema, its request by the channel's schema). */
export interface SocketCall {
  id: number;
  channel: string;
  request: unknown;
  jobId?: string;
}

/** What the ui server sends: the reply to a call (by its id), or a job's progress. */
export type SocketMessage = { type: 'reply'; id: number; reply: IpcReply<unknown> } | { type: 'progress'; event: JobProgressEvent };

/** The path of the WebSocket on the ui server. */
export const SOCKET_PATH = '/ipc';
