import { create } from 'zustand';
import type { FoundBundleAnswer, ImportRunResult, VerifyRunResult } from '../../../shared/ipc/bundleChannels';
import { IpcError } from '../../../shared/ipc/ipcError';
import type { RunningJob } from '../../../shared/ipc/ipcClient';
import type { ProgressUpdate } from '../../../shared/work/progressUpdate';
import { client } from '../ipc/client';

export const STEPS = ['find', 'verify', 'import', 'serve'] as const;
export type Step = (typeof STEPS)[number];

/** Where a job stands: `untrusted` is a verify stopped at a signer this machine does not trust yet. */
export type JobPhase = 'idle' | 'running' | 'untrusted' | 'done' | 'failed' | 'cancelled';

export interface JobState<T> {
  phase: JobPhase;
  progress?: ProgressUpdate;
  result?: T;
  error?: unknown;
}

interface ImportWizardState {
  step: Step;
  /** The folder or drive typed or picked in step 1. */
  dir: string;
  finding: boolean;
  /** The bundles found at `dir` by the last search; undefined before any. */
  found?: FoundBundleAnswer[];
  findError?: unknown;
  bundle?: FoundBundleAnswer;
  /** The signer the operator agreed to trust, once asked; verify trusts it once the bundle checks out, and nothing is trusted without it. */
  trustedSigner?: string;
  verify: JobState<VerifyRunResult>;
  /** The unknown signer's fingerprint while the trust question is open. */
  askTrust?: string;
  /** The signer the operator refused to trust, for the failure to say so. */
  declined?: string;
  importJob: JobState<ImportRunResult>;
  job?: RunningJob<unknown>;
  cancelling: boolean;
  setDir(dir: string): void;
  find(dir?: string): Promise<void>;
  choose(bundle: FoundBundleAnswer): void;
  goTo(step: Step): void;
  runVerify(): void;
  answerTrust(trust: boolean): void;
  runImport(): void;
  cancel(): Promise<void>;
}

const idle = { phase: 'idle' } as const;

/** The fingerprint of a signer verify refused as not trusted (the error names it), else undefined. */
export function untrustedSigner(error: unknown): string | undefined {
  return error instanceof IpcError && error.kind === 'bundle' ? error.fields.fingerprint : undefined;
}

/** The bundle turned out signed by another key than the one the operator agreed to trust. */
export class SignerChangedError extends Error {
  override name = 'SignerChangedError';
  constructor(
    readonly expected: string,
    readonly found: string,
  ) {
    super(`the bundle is signed by ${found}, not by ${expected} that was agreed to; that key is not trusted`);
  }
}

const failedPhase = (error: unknown): JobPhase => (error instanceof IpcError && error.kind === 'interrupted' ? 'cancelled' : 'failed');

/** Which steps can be opened: verify once a bundle is chosen, import once it verified; serving any time. */
export function reachable(state: Pick<ImportWizardState, 'bundle' | 'verify'>, step: Step): boolean {
  if (step === 'verify') return state.bundle !== undefined;
  if (step === 'import') return state.verify.phase === 'done';
  return true;
}

export const useImportWizard = create<ImportWizardState>((set, get) => {
  const running = (): boolean => get().job !== undefined;
  return {
    step: 'find',
    dir: '',
    finding: false,
    verify: idle,
    importJob: idle,
    cancelling: false,
    setDir: (dir) => set({ dir }),
    find: async (dir) => {
      const target = (dir ?? get().dir).trim();
      if (target === '' || running()) return;
      set({ dir: target, finding: true, found: undefined, findError: undefined });
      try {
        set({ found: await client.call('bundles:find', { dir: target }), finding: false });
      } catch (error) {
        set({ findError: error, finding: false });
      }
    },
    choose: (bundle) => {
      if (running()) return;
      set({ bundle, step: 'verify', verify: idle, importJob: idle, askTrust: undefined, trustedSigner: undefined });
      get().runVerify();
    },
    goTo: (step) => {
      if (reachable(get(), step)) set({ step });
    },
    runVerify: () => {
      const { bundle, trustedSigner } = get();
      if (bundle === undefined || running()) return;
      const job = client.startJob('verify:run', { bundleDir: bundle.dir, ...(trustedSigner === undefined ? {} : { trustNewKey: true }) }, (progress) =>
        set({ verify: { ...get().verify, progress } }),
      );
      set({ job, cancelling: false, askTrust: undefined, declined: undefined, verify: { phase: 'running' } });
      job.result.then(
        async (result) => {
          // The answer was for the key shown: a bundle signed by another key since then is not let through on it.
          if (trustedSigner !== undefined && result.signerNewlyTrusted && result.signer !== trustedSigner) {
            await client.call('keys:untrust', { fingerprint: result.signer }).catch(() => undefined);
            set({ job: undefined, trustedSigner: undefined, verify: { phase: 'failed', error: new SignerChangedError(trustedSigner, result.signer) } });
            return;
          }
          set({ job: undefined, verify: { phase: 'done', result, progress: get().verify.progress } });
        },
        (error: unknown) => {
          const signer = untrustedSigner(error);
          if (signer !== undefined) set({ job: undefined, askTrust: signer, verify: { phase: 'untrusted', error } });
          else set({ job: undefined, verify: { phase: failedPhase(error), error } });
        },
      );
    },
    answerTrust: (trust) => {
      const { askTrust } = get();
      if (askTrust === undefined) return;
      if (!trust) {
        set({ askTrust: undefined, declined: askTrust, verify: { ...get().verify, phase: 'failed' } });
        return;
      }
      set({ trustedSigner: askTrust });
      get().runVerify();
    },
    runImport: () => {
      const { bundle, verify } = get();
      if (bundle === undefined || verify.phase !== 'done' || running()) return;
      // Verify trusted the signer if the operator said so; the import trusts nothing new.
      const job = client.startJob('import:run', { bundleDir: bundle.dir }, (progress) =>
        set({ importJob: { ...get().importJob, progress } }),
      );
      set({ job, cancelling: false, step: 'import', importJob: { phase: 'running' } });
      job.result.then(
        (result) => set({ job: undefined, importJob: { phase: 'done', result } }),
        (error: unknown) => set({ job: undefined, importJob: { phase: failedPhase(error), error } }),
      );
    },
    cancel: async () => {
      const { job } = get();
      if (job === undefined) return;
      set({ cancelling: true });
      await job.cancel();
    },
  };
});
