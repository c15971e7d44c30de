import { z } from 'zod';
import { jobId } from './appChannels';
import type { SocketCall } from './socketWire';

/** Kept apart from socketWire so the page, which only sends calls, does not carry zod. */
export const socketCallSchema: z.ZodType<SocketCall> = z.strictObject({
  id: z.number().int().nonnegative(),
  channel: z.string(),
  request: z.unknown(),
  jobId: jobId.optional(),
});
