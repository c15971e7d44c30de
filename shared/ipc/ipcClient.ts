import type { CallChannel, IpcRequest, IpcResponse, JobChannel, JobProgress, ModFerryBridge } from './contract';
import { unwrapReply } from './ipcError';

export interface RunningJob<T> {
  jobId: string;
  /** The answer, or the failure as an IpcError (kind `interrupted` once cancelled). */
  result: Promise<T>;
  cancel(): Promise<void>;
}

export interface IpcClient {
  call<C extends CallChannel>(channel: C, request: IpcRequest<C>): Promise<IpcResponse<C>>;
  startJob<C extends JobChannel>(channel: C, request: IpcRequest<C>, onProgress: (progress: JobProgress<C>) => void): RunningJob<IpcResponse<C>>;
}

/** The bridge as the screens use it: answers or IpcErrors, and jobs with their own progress and cancel. */
export function ipcClient(bridge: ModFerryBridge, newJobId: () => string): IpcClient {
  return {
    call: async (channel, request) => unwrapReply(await bridge.invoke(channel, request)),
    startJob: (channel, request, onProgress) => {
      const jobId = newJobId();
      const unsubscribe = bridge.onProgress((event) => {
        if (event.jobId === jobId) onProgress(event.progress as JobProgress<typeof channel>);
      });
      const result = bridge.invoke(channel, request, jobId).then(unwrapReply).finally(unsubscribe);
      return {
        jobId,
        result,
        cancel: async () => {
          unwrapReply(await bridge.cancel(jobId));
        },
      };
    },
  };
}
