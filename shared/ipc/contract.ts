/**
 * The one contract between the renderer and the app (Electron main, or `modferry ui` over a WebSocket):
 * per channel, the schema every request is checked against where it enters, the answer, and for a
 * job the progress it reports while it runs. A channel is one entry here and one handler in core's appApi.
 */
import type { z } from 'zod';
import type { ProgressUpdate } from '../work/progressUpdate';
import { appInfoRequest, jobCancelRequest, type AppInfo, type JobCancelResult } from './appChannels';
import { importRunRequest, verifyRunRequest, type ImportRunResult, type VerifyRunResult } from './bundleChannels';
import { exportRunRequest, type ExportRunResult } from './exportChannel';
import type { IpcReply } from './ipcError';

/** Answers at once. */
interface CallSpec<Request extends z.ZodType, Response> {
  kind: 'call';
  request: Request;
  /** Carries the answer's type for the compiler; never set. */
  response?: Response;
}

/** Long work: runs under a job id the renderer picks, reports progress, can be cancelled. */
interface JobSpec<Request extends z.ZodType, Response, Progress> {
  kind: 'job';
  request: Request;
  response?: Response;
  progress?: Progress;
}

const call = <Response>() => <Request extends z.ZodType>(request: Request): CallSpec<Request, Response> => ({ kind: 'call', request });
const job = <Response, Progress = ProgressUpdate>() => <Request extends z.ZodType>(request: Request): JobSpec<Request, Response, Progress> => ({ kind: 'job', request });

export const ipcContract = {
  'app:info': call<AppInfo>()(appInfoRequest),
  'job:cancel': call<JobCancelResult>()(jobCancelRequest),
  'export:run': job<ExportRunResult>()(exportRunRequest),
  'verify:run': job<VerifyRunResult>()(verifyRunRequest),
  'import:run': job<ImportRunResult>()(importRunRequest),
};

type Contract = typeof ipcContract;
export type IpcChannel = keyof Contract;
export type JobChannel = { [C in IpcChannel]: Contract[C]['kind'] extends 'job' ? C : never }[IpcChannel];
export type CallChannel = Exclude<IpcChannel, JobChannel>;
/** What the renderer sends. */
export type IpcRequest<C extends IpcChannel> = z.input<Contract[C]['request']>;
/** What a handler receives: the request after its schema checked it (defaults filled in). */
export type ParsedRequest<C extends IpcChannel> = z.output<Contract[C]['request']>;
export type IpcResponse<C extends IpcChannel> = NonNullable<Contract[C]['response']>;
export type JobProgress<C extends JobChannel> = NonNullable<Contract[C]['progress']>;

/** A job's progress as the app sends it: which job, on which channel, and how far. */
export type JobProgressEvent = { [C in JobChannel]: { jobId: string; channel: C; progress: JobProgress<C> } }[JobChannel];

export const ipcChannels = Object.keys(ipcContract) as IpcChannel[];

export function isIpcChannel(value: unknown): value is IpcChannel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ipcContract, value);
}

export function isJobChannel(channel: IpcChannel): channel is JobChannel {
  return ipcContract[channel].kind === 'job';
}

/**
 * What the renderer is given: by preload as `window.modferry`, or over the ui WebSocket. Plain data
 * only crosses it (Electron's context bridge keeps nothing of an Error but its message).
 */
export interface ModFerryBridge {
  /** A job channel needs a jobId; progress for it arrives through onProgress until the reply. */
  invoke<C extends IpcChannel>(channel: C, request: IpcRequest<C>, jobId?: string): Promise<IpcReply<IpcResponse<C>>>;
  /** Every job's progress; returns the unsubscribe. */
  onProgress(listener: (event: JobProgressEvent) => void): () => void;
  /** Stops a job: its HTTP and file streams end and what it wrote is removed; its invoke then fails with kind `interrupted`. */
  cancel(jobId: string): Promise<IpcReply<JobCancelResult>>;
}

/** The Electron channel on which main sends JobProgressEvents to the renderer. */
export const PROGRESS_EVENT = 'job:progress';
