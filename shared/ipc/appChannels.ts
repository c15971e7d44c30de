import { z } from 'zod';

export interface AppInfo {
  name: string;
  version: string;
  platform: string;
}

export const appInfoRequest = z.strictObject({});

/** Chosen by the renderer, so it can cancel a job before its first progress event arrives. */
export const jobId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8 to 64 letters, digits, - or _');

export const jobCancelRequest = z.strictObject({ jobId });

export interface JobCancelResult {
  /** False when no job of this connection has that id (it had finished already). */
  cancelled: boolean;
}
