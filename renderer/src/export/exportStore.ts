import { create } from 'zustand';
import type { ExportRunResult } from '../../../shared/ipc/exportChannel';
import { IpcError } from '../../../shared/ipc/ipcError';
import type { RunningJob } from '../../../shared/ipc/ipcClient';
import type { ProgressUpdate } from '../../../shared/work/progressUpdate';
import { client } from '../ipc/client';

export interface ExportForm {
  projectDir: string;
  upstream: string;
  outDir: string;
  /** Prove the bundle with the go command before sealing it. */
  check: boolean;
}

type Phase = 'editing' | 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed';

interface ExportState {
  form: ExportForm;
  phase: Phase;
  progress?: ProgressUpdate;
  result?: ExportRunResult;
  error?: unknown;
  job?: RunningJob<ExportRunResult>;
  setField<K extends keyof ExportForm>(name: K, value: ExportForm[K]): void;
  start(): void;
  cancel(): Promise<void>;
}

export const useExportStore = create<ExportState>((set, get) => ({
  form: { projectDir: '', upstream: '', outDir: '', check: true },
  phase: 'editing',
  setField: (name, value) => set({ form: { ...get().form, [name]: value } }),
  start: () => {
    const { form } = get();
    const job = client.startJob(
      'export:run',
      { projectDirs: [form.projectDir.trim()], upstream: form.upstream, outDir: form.outDir.trim(), check: form.check },
      (progress) => set({ progress }),
    );
    set({ phase: 'running', job, progress: undefined, result: undefined, error: undefined });
    job.result.then(
      (result) => set({ phase: 'done', result, job: undefined }),
      (error: unknown) => set({ phase: error instanceof IpcError && error.kind === 'interrupted' ? 'cancelled' : 'failed', error, job: undefined }),
    );
  },
  cancel: async () => {
    const { job } = get();
    if (job === undefined) return;
    set({ phase: 'cancelling' });
    await job.cancel();
  },
}));
