import { z } from 'zod';
import { jobId } from './appChannels';
import type { JobProgressEvent } from './contract';
import type { IpcReply } from './ipcError';

/** One call from the browser over the ui WebSocket; the request itself is checked by its channel's schema. */
export const socketCall = z.strictObject({
  id: z.number().int().nonnegative(),
  channel: z.string(),
  request: z.unknown(),
  jobId: jobId.optional(),
});

export type SocketCall = z.infer<typeof socketCall>;

/** What the ui server sends: the reply to a call (by its id), or a job's progress. */
export type SocketMessage = { type: 'reply'; id: number; reply: IpcReply<unknown> } | { type: 'progress'; event: JobProgressEvent };

/** The path of the WebSocket on the ui server. */
export const SOCKET_PATH = '/ipc';
