import { create } from 'zustand';
import type { ExportPlanAnswer, ExportRunResult } from '../../../shared/ipc/exportChannel';
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

/** Planning resolves and downloads; exporting writes the plan's files to the destination. */
type Phase = 'editing' | 'planning' | 'planned' | 'exporting' | 'done' | 'cancelled' | 'failed';

interface ExportState {
  form: ExportForm;
  phase: Phase;
  cancelling: boolean;
  progress?: ProgressUpdate;
  plan?: ExportPlanAnswer;
  result?: ExportRunResult;
  error?: unknown;
  job?: RunningJob<unknown>;
  setField<K extends keyof ExportForm>(name: K, value: ExportForm[K]): void;
  /** The upstream from the app's GOPROXY, unless one was typed already. */
  loadDefaults(): Promise<void>;
  makePlan(): void;
  runPlan(): void;
  cancel(): Promise<void>;
}

// What the plan was made from: changing it makes the plan shown no longer the one that would run.
const PLAN_INPUTS: ReadonlySet<keyof ExportForm> = new Set(['projectDir', 'upstream']);

export const useExportStore = create<ExportState>((set, get) => {
  const follow = <T>(job: RunningJob<T>, busy: Phase, done: (value: T) => Partial<ExportState>): void => {
    set({ phase: busy, job: job as RunningJob<unknown>, cancelling: false, progress: undefined, error: undefined });
    job.result.then(
      (value) => set({ ...done(value), job: undefined, cancelling: false }),
      (error: unknown) => set({ phase: error instanceof IpcError && error.kind === 'interrupted' ? 'cancelled' : 'failed', error, job: undefined, cancelling: false }),
    );
  };
  return {
    form: { projectDir: '', upstream: '', outDir: '', check: true },
    phase: 'editing',
    cancelling: false,
    setField: (name, value) => {
      const stale = PLAN_INPUTS.has(name) && get().plan !== undefined;
      set({ form: { ...get().form, [name]: value }, ...(stale ? { plan: undefined, phase: 'editing' as const } : {}) });
    },
    loadDefaults: async () => {
      try {
        const defaults = await client.call('settings:defaults', {});
        if (defaults.upstream !== null && get().form.upstream === '') set({ form: { ...get().form, upstream: defaults.upstream } });
      } catch {
        // Without defaults the operator types the upstream, as the field asks.
      }
    },
    makePlan: () => {
      const { form } = get();
      const outDir = form.outDir.trim();
      const job = client.startJob(
        'export:plan',
        { projectDirs: [form.projectDir.trim()], upstream: form.upstream, ...(outDir === '' ? {} : { outDir }) },
        (progress) => set({ progress }),
      );
      set({ plan: undefined, result: undefined });
      follow(job, 'planning', (plan) => ({ phase: 'planned', plan }));
    },
    runPlan: () => {
      const { form, plan } = get();
      if (plan === undefined) return;
      const job = client.startJob('export:run', { planId: plan.id, outDir: form.outDir.trim(), check: form.check }, (progress) => set({ progress }));
      set({ result: undefined });
      follow(job, 'exporting', (result) => ({ phase: 'done', result }));
    },
    cancel: async () => {
      const { job } = get();
      if (job === undefined) return;
      set({ cancelling: true });
      await job.cancel();
    },
  };
});
