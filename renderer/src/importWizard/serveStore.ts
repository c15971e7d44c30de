import { create } from 'zustand';
import type { RunningJob } from '../../../shared/ipc/ipcClient';
import type { ServeCounts, ServedRequestAnswer, ServeEvent, ServeStarted } from '../../../shared/ipc/serveChannels';
import type { MissesAnswer, RequestWriteResult, StoreFactsAnswer } from '../../../shared/ipc/storeChannels';
import { IpcError } from '../../../shared/ipc/ipcError';
import { client } from '../ipc/client';

/** The live log keeps this many requests, the newest: a busy proxy must not fill the page's memory. */
export const LOG_CAP = 1000;
// The proxy writes misses to the catalog at most once a second; asking a little later finds them there.
const MISSES_SETTLE_MS = 1500;

export type ServePhase = 'stopped' | 'starting' | 'running' | 'stopping';

export interface LoggedRequest extends ServedRequestAnswer {
  /** Counts every request heard, so a row keeps its key when older ones leave the log. */
  seq: number;
}

interface ServeState {
  phase: ServePhase;
  started?: ServeStarted;
  /** True when the proxy was started elsewhere (another window, or before a reload): its requests are not heard here. */
  startedElsewhere: boolean;
  /** The proxy's counts: as of the status asked, or the final ones of the run that ended. */
  counts?: ServeCounts;
  log: LoggedRequest[];
  /** Requests heard in all, including those the cap has let go. */
  heard: number;
  facts?: StoreFactsAnswer;
  misses?: MissesAnswer;
  error?: unknown;
  requestFolder: string;
  writing: boolean;
  written?: RequestWriteResult;
  writeError?: unknown;
  job?: RunningJob<ServeCounts>;
  refresh(): Promise<void>;
  start(listen: { host: string; port: number }): void;
  stop(): Promise<void>;
  setRequestFolder(folder: string): void;
  writeRequest(): Promise<void>;
}

/** A file name for the request file, from the time it is written: two writes never overwrite each other. */
export function requestFileIn(folder: string, now: Date): string {
  const separator = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  return `${folder.replace(/[\\/]+$/, '')}${separator}modferry-request-${stamp}.txt`;
}

/** The newest requests, at most LOG_CAP, after a batch arrives. */
export function appendToLog(log: readonly LoggedRequest[], heard: number, batch: readonly ServedRequestAnswer[]): LoggedRequest[] {
  return [...log, ...batch.map((request, index) => ({ ...request, seq: heard + index }))].slice(-LOG_CAP);
}

export const useServeStore = create<ServeState>((set, get) => {
  let missesTimer: ReturnType<typeof setTimeout> | undefined;
  const refreshStore = async (): Promise<void> => {
    const [facts, misses] = await Promise.all([client.call('store:facts', {}), client.call('misses:list', {})]);
    set({ facts, misses });
  };
  const refreshSoon = (): void => {
    if (missesTimer !== undefined) return;
    missesTimer = setTimeout(() => {
      missesTimer = undefined;
      refreshStore().catch((error: unknown) => set({ error }));
    }, MISSES_SETTLE_MS);
  };
  const onEvents = (events: ServeEvent[]): void => {
    const requests: ServedRequestAnswer[] = [];
    for (const event of events) {
      if (event.type === 'listening') {
        const { type: _type, ...started } = event;
        set({ started, phase: 'running' });
      } else {
        const { type: _type, ...request } = event;
        requests.push(request);
      }
    }
    if (requests.length === 0) return;
    const { log, heard } = get();
    set({ log: appendToLog(log, heard, requests), heard: heard + requests.length });
    if (requests.some((request) => request.status === 404)) refreshSoon();
  };
  return {
    phase: 'stopped',
    startedElsewhere: false,
    log: [],
    heard: 0,
    requestFolder: '',
    writing: false,
    refresh: async () => {
      try {
        const [{ running }] = await Promise.all([client.call('serve:status', {}), refreshStore()]);
        if (get().job !== undefined) return;
        if (running === null) set({ phase: 'stopped', started: undefined, startedElsewhere: false });
        else {
          const { counts, store: _store, ...started } = running;
          set({ phase: 'running', started, counts, startedElsewhere: true });
        }
      } catch (error) {
        set({ error });
      }
    },
    start: (listen) => {
      if (get().job !== undefined || get().phase !== 'stopped') return;
      const job = client.startJob('serve:run', { listen }, onEvents);
      set({ job, phase: 'starting', error: undefined, startedElsewhere: false, log: [], heard: 0 });
      job.result.then(
        (counts) => set({ job: undefined, phase: 'stopped', counts, started: undefined }),
        (error: unknown) => set({ job: undefined, phase: 'stopped', started: undefined, ...(error instanceof IpcError && error.kind === 'interrupted' ? {} : { error }) }),
      );
    },
    stop: async () => {
      if (get().phase !== 'running') return;
      set({ phase: 'stopping' });
      try {
        await client.call('serve:stop', {});
        if (get().job === undefined) set({ phase: 'stopped', started: undefined, startedElsewhere: false });
      } catch (error) {
        set({ error, phase: 'running' });
      }
    },
    setRequestFolder: (requestFolder) => set({ requestFolder }),
    writeRequest: async () => {
      const folder = get().requestFolder.trim();
      if (folder === '' || get().writing) return;
      set({ writing: true, written: undefined, writeError: undefined });
      try {
        set({ written: await client.call('request:write', { file: requestFileIn(folder, new Date()) }), writing: false });
      } catch (writeError) {
        set({ writeError, writing: false });
      }
    },
  };
});
