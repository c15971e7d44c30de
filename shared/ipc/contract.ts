/**
 * The one contract between the renderer and the app (Electron main, or `modferry ui` over a WebSocket):
 * per channel, the schema every request is checked against where it enters, the answer, and for a
 * job the progress it reports while it runs. A channel is one entry here and one handler in core's appApi.
 */
import type { z } from 'zod';
import type { ProgressUpdate } from '../work/progressUpdate';
import { appInfoRequest, jobCancelRequest, type AppInfo, type JobCancelResult } from './appChannels';
import { bundlesFindRequest, importRunRequest, verifyRunRequest, type FoundBundleAnswer, type ImportRunResult, type VerifyRunResult } from './bundleChannels';
import { destinationCheckRequest, drivesEjectRequest, drivesListRequest, type DestinationAnswer, type DriveAnswer } from './drivesChannel';
import { exportPlanRequest, exportRunRequest, type ExportPlanAnswer, type ExportRunResult } from './exportChannel';
import {
  keysListRequest,
  keysOwnRequest,
  keysTrustFileRequest,
  keysUntrustRequest,
  keysWritePublicRequest,
  type OwnKeyAnswer,
  type TrustedKeyAnswer,
  type TrustFileAnswer,
} from './keysChannels';
import { serveRunRequest, serveStatusRequest, serveStopRequest, type ServeCounts, type ServeEvent, type ServeStatus } from './serveChannels';
import { activityRecentRequest, settingsGetRequest, settingsSetRequest, type RecentActivityAnswer, type SettingsAnswer } from './settingsChannels';
import { sourcesInspectRequest, type SourceAnswer } from './sourcesChannel';
import {
  inventoryWriteRequest,
  missesListRequest,
  requestWriteRequest,
  settingsDefaultsRequest,
  storeFactsRequest,
  type InventoryWriteResult,
  type MissesAnswer,
  type RequestWriteResult,
  type SettingsDefaults,
  type StoreFactsAnswer,
} from './storeChannels';
import type { IpcReply } from './ipcError';

/** Answers at once. */
interface CallSpec<Request extends z.ZodType, Response> {
  kind: 'call';
  request: Request;
  /** Carries the answer's type for the compiler; never set. */
  response?: Response;
}

/**
 * How a job's progress is thinned to at most ten events a second: `update` is work under way (stage,
 * files, bytes, rate, ETA, repeated every 2 s while nothing moves); `latest` is a whole state where
 * only the newest counts (a drive list); `batch` never drops anything: what came in meanwhile goes as one array.
 */
export type ProgressMode = 'update' | 'latest' | 'batch';

/** Long work: runs under a job id the renderer picks, reports progress, can be cancelled. */
interface JobSpec<Request extends z.ZodType, Response, Progress, Mode extends ProgressMode> {
  kind: 'job';
  request: Request;
  reports: Mode;
  response?: Response;
  progress?: Progress;
}

const call = <Response>() => <Request extends z.ZodType>(request: Request): CallSpec<Request, Response> => ({ kind: 'call', request });
const job = <Response>() => <Request extends z.ZodType>(request: Request): JobSpec<Request, Response, ProgressUpdate, 'update'> => ({ kind: 'job', request, reports: 'update' });
const latestJob = <Response, State>() => <Request extends z.ZodType>(request: Request): JobSpec<Request, Response, State, 'latest'> => ({ kind: 'job', request, reports: 'latest' });
const batchJob = <Response, Item>() => <Request extends z.ZodType>(request: Request): JobSpec<Request, Response, Item[], 'batch'> => ({ kind: 'job', request, reports: 'batch' });

export const ipcContract = {
  'app:info': call<AppInfo>()(appInfoRequest),
  'job:cancel': call<JobCancelResult>()(jobCancelRequest),
  'settings:defaults': call<SettingsDefaults>()(settingsDefaultsRequest),
  'settings:get': call<SettingsAnswer>()(settingsGetRequest),
  /** A partial change, checked field by field; answers all the settings as saved. */
  'settings:set': call<SettingsAnswer>()(settingsSetRequest),
  'activity:recent': call<RecentActivityAnswer>()(activityRecentRequest),
  'sources:inspect': call<SourceAnswer[]>()(sourcesInspectRequest),
  'export:plan': job<ExportPlanAnswer>()(exportPlanRequest),
  'export:run': job<ExportRunResult>()(exportRunRequest),
  'verify:run': job<VerifyRunResult>()(verifyRunRequest),
  'import:run': job<ImportRunResult>()(importRunRequest),
  'drives:list': call<DriveAnswer[]>()(drivesListRequest),
  /** Answers (with nothing) only once cancelled; each progress event is the whole list after a change. */
  'drives:watch': latestJob<Record<string, never>, DriveAnswer[]>()(drivesListRequest),
  'drives:eject': call<{ device: string }>()(drivesEjectRequest),
  'destination:check': call<DestinationAnswer>()(destinationCheckRequest),
  'bundles:find': call<FoundBundleAnswer[]>()(bundlesFindRequest),
  'keys:own': call<{ key: OwnKeyAnswer | null }>()(keysOwnRequest),
  'keys:writePublic': call<{ file: string }>()(keysWritePublicRequest),
  'keys:list': call<TrustedKeyAnswer[]>()(keysListRequest),
  'keys:untrust': call<TrustedKeyAnswer>()(keysUntrustRequest),
  'keys:trustFile': call<TrustFileAnswer>()(keysTrustFileRequest),
  /**
   * The offline proxy, one per app: runs until cancelled (or serve:stop), reporting `listening` first,
   * then every request; answers the final counts once stopped.
   */
  'serve:run': batchJob<ServeCounts, ServeEvent>()(serveRunRequest),
  'serve:stop': call<{ stopped: boolean }>()(serveStopRequest),
  'serve:status': call<{ running: ServeStatus | null }>()(serveStatusRequest),
  'store:facts': call<StoreFactsAnswer>()(storeFactsRequest),
  'misses:list': call<MissesAnswer>()(missesListRequest),
  'request:write': call<RequestWriteResult>()(requestWriteRequest),
  'inventory:write': call<InventoryWriteResult>()(inventoryWriteRequest),
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
/** What a job's handler reports at a time: a ProgressEvent, a whole state, or one item of a batch. */
export type JobReport<C extends JobChannel> = Contract[C]['reports'] extends 'batch' ? (JobProgress<C> extends Array<infer Item> ? Item : never) : JobProgress<C>;

/** A job's progress as the app sends it: which job, on which channel, and how far. */
export type JobProgressEvent = { [C in JobChannel]: { jobId: string; channel: C; progress: JobProgress<C> } }[JobChannel];

export const ipcChannels = Object.keys(ipcContract) as IpcChannel[];

export function isIpcChannel(value: unknown): value is IpcChannel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ipcContract, value);
}

export function isJobChannel(channel: IpcChannel): channel is JobChannel {
  return ipcContract[channel].kind === 'job';
}

export function progressMode(channel: JobChannel): ProgressMode {
  return ipcContract[channel].reports;
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
