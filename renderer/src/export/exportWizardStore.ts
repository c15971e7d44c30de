import { create } from 'zustand';
import type { DestinationAnswer, DriveAnswer } from '../../../shared/ipc/drivesChannel';
import type { ExportPlanAnswer, ExportRunResult } from '../../../shared/ipc/exportChannel';
import { IpcError } from '../../../shared/ipc/ipcError';
import type { RunningJob } from '../../../shared/ipc/ipcClient';
import type { SourceAnswer } from '../../../shared/ipc/sourcesChannel';
import type { ProgressUpdate } from '../../../shared/work/progressUpdate';
import { client } from '../ipc/client';
import { ABSOLUTE_PATH } from '../../../shared/ipc/paths';
import { pastedModules } from './pastedModules';

export const WIZARD_STEPS = ['sources', 'review', 'destination', 'run', 'done'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export const SOURCE_KINDS = ['project', 'goMod', 'requestFile'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** A project folder, go.mod file or request file, by its absolute path on the machine the app runs on. */
export interface PathSource {
  kind: SourceKind;
  path: string;
}

/** Where the bundle goes: a mount point of a drive the app listed (which can be ejected after), or a folder typed in. */
export type Destination = { kind: 'drive'; device: string; path: string; offered: boolean } | { kind: 'folder'; path: string };

/** Each stage of the run as last reported; stages overlap (the go proof runs while volumes are written). */
export type StageProgress = Partial<Record<string, ProgressUpdate>>;

type JobPhase = 'idle' | 'running' | 'cancelling' | 'failed' | 'cancelled';

interface ExportWizardState {
  step: WizardStep;
  sources: PathSource[];
  /** What each source asks for, or its problem, by path; absent while it is being read. */
  inspected: Partial<Record<string, SourceAnswer | { failed: unknown }>>;
  pasted: string;
  upstream: string;
  /** Prove the bundle with the go command before sealing it. */
  check: boolean;
  planPhase: JobPhase;
  planProgress?: ProgressUpdate;
  plan?: ExportPlanAnswer;
  planError?: unknown;
  drives: DriveAnswer[];
  /** Every drive, each held back with its reason, not only those offered for a bundle. */
  showAllDrives: boolean;
  drivesError?: unknown;
  destination?: Destination;
  /** The chosen destination's free space against the bundle, and its volume size; for the destination shown. */
  destinationFacts?: DestinationAnswer;
  destinationError?: unknown;
  /** The operator's own volume size, as typed; undefined: the file system's. Set back when another destination is chosen. */
  volumeSizeText?: string;
  /** That size in bytes once it reads as one the destination allows; the check and the run are given it. */
  volumeSize?: number;
  runPhase: JobPhase;
  stages: StageProgress;
  /** The stage reported last, which the screen names as under way. */
  currentStage?: string;
  result?: ExportRunResult;
  runError?: unknown;
  ejected: 'no' | 'ejecting' | 'yes';
  ejectError?: unknown;

  goTo(step: WizardStep): void;
  addSource(source: PathSource): void;
  removeSource(index: number): void;
  setPasted(text: string): void;
  setUpstream(upstream: string): void;
  setCheck(check: boolean): void;
  /** The volume size chosen: text undefined for the file system's, bytes undefined while the text is not a size allowed. */
  setVolumeSize(text: string | undefined, bytes: number | undefined): void;
  /** The upstream from the settings, else from the app's GOPROXY, unless one was typed already. */
  loadDefaults(): Promise<void>;
  makePlan(): void;
  cancelPlan(): Promise<void>;
  /** Follows the drive list (live) while the destination step is shown; the returned function stops it. */
  watchDrives(): () => void;
  setShowAllDrives(all: boolean): void;
  choose(destination: Destination | undefined): void;
  /** Asks again about the chosen destination (a folder typed in is asked about once typing pauses). */
  checkDestination(): Promise<void>;
  run(): void;
  cancelRun(): Promise<void>;
  eject(): Promise<void>;
  /** A new export from the start, keeping the sources and upstream. */
  startOver(): void;
}

const interrupted = (error: unknown): boolean => error instanceof IpcError && error.kind === 'interrupted';

let planJob: RunningJob<ExportPlanAnswer> | undefined;
// Answers about a destination no longer chosen are dropped: only the newest check counts.
let destinationChecks = 0;
let runJob: RunningJob<ExportRunResult> | undefined;

export const useExportWizard = create<ExportWizardState>((set, get) => {
  // Changing what the plan was made from makes the plan shown no longer the one that would run.
  const sourcesChanged = (change: Partial<ExportWizardState>): void => set({ ...change, plan: undefined, planError: undefined, planPhase: 'idle' });
  return {
    step: 'sources',
    sources: [],
    inspected: {},
    pasted: '',
    upstream: '',
    check: true,
    planPhase: 'idle',
    drives: [],
    showAllDrives: false,
    runPhase: 'idle',
    stages: {},
    ejected: 'no',

    goTo: (step) => set({ step }),
    addSource: (source) => {
      if (get().sources.some((s) => s.path === source.path)) return;
      sourcesChanged({ sources: [...get().sources, source] });
      const request = source.kind === 'goMod' ? { goModFiles: [source.path] } : source.kind === 'project' ? { projectDirs: [source.path] } : { requestFiles: [source.path] };
      client.call('sources:inspect', request).then(
        ([answer]) => set((state) => ({ inspected: { ...state.inspected, [source.path]: answer ?? { failed: undefined } } })),
        (failed: unknown) => set((state) => ({ inspected: { ...state.inspected, [source.path]: { failed } } })),
      );
    },
    removeSource: (index) => sourcesChanged({ sources: get().sources.filter((_, i) => i !== index) }),
    setPasted: (pasted) => sourcesChanged({ pasted }),
    setUpstream: (upstream) => sourcesChanged({ upstream }),
    setCheck: (check) => set({ check }),
    setVolumeSize: (volumeSizeText, volumeSize) => {
      const changed = volumeSize !== get().volumeSize;
      set({ volumeSizeText, volumeSize });
      if (changed) void get().checkDestination();
    },
    loadDefaults: async () => {
      try {
        const [saved, defaults] = await Promise.all([client.call('settings:get', {}), client.call('settings:defaults', {})]);
        const upstream = saved.settings.upstream ?? defaults.upstream;
        if (upstream !== null && get().upstream === '') set({ upstream });
      } catch {
        // Without them the operator types the upstream, as the field asks.
      }
    },

    makePlan: () => {
      const { sources, pasted, upstream } = get();
      const of = (kind: SourceKind): string[] => sources.filter((s) => s.kind === kind).map((s) => s.path);
      const modules = pastedModules(pasted).flatMap((line) => ('module' in line ? [line.module] : []));
      planJob = client.startJob(
        'export:plan',
        { projectDirs: of('project'), goModFiles: of('goMod'), requestFiles: of('requestFile'), modules, ...(upstream.trim() === '' ? {} : { upstream }) },
        (planProgress) => set({ planProgress }),
      );
      const job = planJob;
      set({ planPhase: 'running', planProgress: undefined, plan: undefined, planError: undefined, result: undefined, destination: undefined, volumeSizeText: undefined, volumeSize: undefined });
      job.result.then(
        (plan) => {
          if (planJob === job) set({ plan, planPhase: 'idle', step: 'review' });
        },
        (error: unknown) => {
          if (planJob === job) set({ planPhase: interrupted(error) ? 'cancelled' : 'failed', planError: error });
        },
      );
    },
    cancelPlan: async () => {
      if (planJob === undefined || get().planPhase !== 'running') return;
      set({ planPhase: 'cancelling' });
      await planJob.cancel();
    },

    watchDrives: () => {
      const job = client.startJob('drives:watch', { all: get().showAllDrives }, (drives) => set({ drives, drivesError: undefined }));
      job.result.catch((error: unknown) => {
        if (!interrupted(error)) set({ drivesError: error });
      });
      return () => void job.cancel().catch(() => undefined);
    },
    setShowAllDrives: (showAllDrives) => {
      const { destination } = get();
      // A held-back drive chosen while all were shown is no longer on offer once they are hidden.
      set({ showAllDrives, ...(!showAllDrives && destination?.kind === 'drive' && !destination.offered ? { destination: undefined } : {}) });
    },
    choose: (destination) => {
      set({ destination, destinationFacts: undefined, destinationError: undefined, volumeSizeText: undefined, volumeSize: undefined });
      if (destination?.kind === 'drive') void get().checkDestination();
    },
    checkDestination: async () => {
      const { destination, plan, volumeSize } = get();
      const check = ++destinationChecks;
      if (destination === undefined || !ABSOLUTE_PATH.test(destination.path)) return;
      try {
        const destinationFacts = await client.call('destination:check', {
          dir: destination.path,
          ...(plan === undefined ? {} : { planId: plan.id }),
          ...(volumeSize === undefined ? {} : { volumeSize }),
        });
        if (check === destinationChecks) set({ destinationFacts, destinationError: undefined });
      } catch (destinationError) {
        if (check === destinationChecks) set({ destinationFacts: undefined, destinationError });
      }
    },

    run: () => {
      const { plan, destination, check, volumeSize, volumeSizeText } = get();
      if (plan === undefined || destination === undefined || (volumeSizeText !== undefined && volumeSize === undefined)) return;
      runJob = client.startJob('export:run', { planId: plan.id, outDir: destination.path, check, ...(volumeSize === undefined ? {} : { volumeSize }) }, (progress) =>
        set((state) => ({ stages: { ...state.stages, [progress.stage]: progress }, currentStage: progress.stage })),
      );
      const job = runJob;
      set({ step: 'run', runPhase: 'running', stages: {}, currentStage: undefined, result: undefined, runError: undefined, ejected: 'no', ejectError: undefined });
      job.result.then(
        (result) => {
          if (runJob === job) set({ result, runPhase: 'idle', step: 'done' });
        },
        (error: unknown) => {
          if (runJob === job) set({ runPhase: interrupted(error) ? 'cancelled' : 'failed', runError: error });
        },
      );
    },
    cancelRun: async () => {
      if (runJob === undefined || get().runPhase !== 'running') return;
      set({ runPhase: 'cancelling' });
      await runJob.cancel();
    },

    eject: async () => {
      const { destination } = get();
      if (destination?.kind !== 'drive') return;
      set({ ejected: 'ejecting', ejectError: undefined });
      try {
        await client.call('drives:eject', { device: destination.device });
        set({ ejected: 'yes' });
      } catch (ejectError) {
        set({ ejected: 'no', ejectError });
      }
    },

    startOver: () => {
      planJob = undefined;
      runJob = undefined;
      set({ step: 'sources', plan: undefined, planPhase: 'idle', planProgress: undefined, planError: undefined, destination: undefined, volumeSizeText: undefined, volumeSize: undefined, runPhase: 'idle', stages: {}, currentStage: undefined, result: undefined, runError: undefined, ejected: 'no', ejectError: undefined });
    },
  };
});

/** Work is under way that leaving the page would abandon. */
export function exportBusy(state: Pick<ExportWizardState, 'planPhase' | 'runPhase'>): boolean {
  return state.runPhase === 'running' || state.runPhase === 'cancelling' || state.planPhase === 'running' || state.planPhase === 'cancelling';
}
