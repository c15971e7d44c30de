import type { IpcErrorRecord, IpcReply } from '../../../shared/ipc/ipcError';
import { isJobChannel, progressMode, type IpcChannel, type JobChannel, type JobProgressEvent, type ParsedRequest } from '../../../shared/ipc/contract';
import { jobId } from '../../../shared/ipc/appChannels';
import { parseRequest } from '../../../shared/ipc/parseRequest';
import { ignoreProgress } from '../../../shared/work/progress';
import { errorKind, errorRecord, ModFerryError } from '../errors/modferryError';
import type { AppContext } from './appContext';
import { appHandlers, type HandlerContext } from './appHandlers';
import { batchedReports, jobProgress, latestReports, type JobReports } from './jobProgress';
import { RecentPlans } from './recentPlans';

export interface AppSessionOptions {
  /** Sends a job's progress to this window or socket. */
  send(event: JobProgressEvent): void;
  /** Told of failures nobody planned for (kind `internal`): to log and show them. */
  onUnexpected(error: unknown, channel: string): void;
}

/** One window or one ui socket: its calls, and the jobs it started, cancelled when it goes away. */
export interface AppSession {
  /** Checks the request against its channel's schema, runs the handler; never rejects: failures come back as data. */
  dispatch(channel: unknown, request: unknown, jobId?: unknown): Promise<IpcReply<unknown>>;
  /** Cancels every job; resolves once they have all cleaned up. */
  close(): Promise<void>;
}

const neverAborted = new AbortController().signal;
const ignoreReport = (): void => undefined;

export function createAppSession(app: AppContext, options: AppSessionOptions): AppSession {
  const jobs = new Map<string, { controller: AbortController; settled: Promise<unknown> }>();
  const plans = new RecentPlans();
  let closed = false;
  const cancelJob = (jobId: string): boolean => {
    const job = jobs.get(jobId);
    job?.controller.abort(new ModFerryError('interrupted', 'cancelled'));
    return job !== undefined;
  };

  const runJob = async (channel: JobChannel, request: ParsedRequest<IpcChannel>, jobId: string): Promise<unknown> => {
    if (closed) throw new ModFerryError('interrupted', `${channel}: not started: the window or connection is closing`);
    if (jobs.has(jobId)) throw new ModFerryError('usage', `${channel}: job ${jobId} is already running`);
    const controller = new AbortController();
    // The contract pairs each channel with its kind of progress; the event is that channel's.
    const send = (progress: unknown): void => options.send({ jobId, channel, progress } as JobProgressEvent);
    const mode = progressMode(channel);
    const progress = mode === 'update' ? jobProgress(send) : undefined;
    const reports: JobReports<unknown> | undefined = mode === 'batch' ? batchedReports(send) : mode === 'latest' ? latestReports(send) : undefined;
    const running = handle(channel, request, {
      app,
      signal: controller.signal,
      onProgress: progress?.listener ?? ignoreProgress,
      report: reports?.report ?? ignoreReport,
      cancelJob,
      plans,
    });
    jobs.set(jobId, { controller, settled: running.catch(() => undefined) });
    try {
      return await running;
    } catch (error) {
      // What the work threw on its way out (an AbortError, a destroyed stream) is not news: the cancel is.
      if (controller.signal.aborted && errorKind(error) !== 'interrupted') throw new ModFerryError('interrupted', 'cancelled', {}, { cause: error });
      throw error;
    } finally {
      progress?.stop();
      reports?.stop();
      jobs.delete(jobId);
    }
  };

  return {
    dispatch: async (channel, request, jobId) => {
      try {
        const parsed = parseRequest(channel, request);
        if (!parsed.ok) throw new ModFerryError('usage', parsed.message);
        const value = isJobChannel(parsed.channel)
          ? await runJob(parsed.channel, parsed.request, requireJobId(parsed.channel, jobId))
          : await handle(parsed.channel, parsed.request, { app, signal: neverAborted, onProgress: ignoreProgress, report: ignoreReport, cancelJob, plans });
        return { ok: true, value };
      } catch (error) {
        if (errorKind(error) === 'internal') options.onUnexpected(error, String(channel));
        return { ok: false, error: asRecord(error) };
      }
    },
    close: async () => {
      closed = true;
      const settled = [...jobs.values()].map((job) => job.settled);
      for (const jobId of jobs.keys()) cancelJob(jobId);
      await Promise.all(settled);
    },
  };
}

function handle(channel: IpcChannel, request: ParsedRequest<IpcChannel>, context: HandlerContext): Promise<unknown> {
  // The request was checked against this channel's own schema, so it is the handler's request type.
  const handler = appHandlers[channel] as (request: ParsedRequest<IpcChannel>, context: HandlerContext) => Promise<unknown>;
  return handler(request, context);
}

function requireJobId(channel: IpcChannel, id: unknown): string {
  const parsed = jobId.safeParse(id);
  if (parsed.success) return parsed.data;
  throw new ModFerryError('usage', `${channel}: jobId: ${id === undefined ? 'a job channel needs one' : parsed.error.issues[0]?.message ?? 'invalid'}`);
}

/** An error as it crosses to the renderer: its kind, message and fields. */
export function asRecord(error: unknown): IpcErrorRecord {
  const { type: _type, ...record } = errorRecord(error);
  return record;
}
