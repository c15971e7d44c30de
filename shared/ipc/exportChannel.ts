import { z } from 'zod';
import type { UnmetRequest } from '../bundle/manifest';
import type { ExportPlan, PlanCounts, PlannedFile, PlannedModule, PlanProofs } from '../export/exportPlan';
import { MIN_VOLUME_BYTES } from '../bundle/volumePlan';
import type { PlanWarning } from '../export/planNotes';
import { absolutePath } from './paths';
import { toolchainPlatformList } from '../settings/appSettings';

export const exportPlanRequest = z
  .strictObject({
    projectDirs: z.array(absolutePath).optional(),
    goModFiles: z.array(absolutePath).optional(),
    /** `path@version` or `path@latest`. */
    modules: z.array(z.string().min(1, 'is empty')).optional(),
    requestFiles: z.array(absolutePath).optional(),
    /** A GOPROXY list; without one, the upstream from the settings, else GOPROXY from the environment. */
    upstream: z.string().trim().min(1, 'is empty: give a GOPROXY list, e.g. https://proxy.example.com').optional(),
    sinceInventory: absolutePath.optional(),
    strict: z.boolean().optional(),
    /** goos/goarch pairs to carry the go.mod files' toolchains for; without them, the toolchainPlatforms setting, else this machine's. */
    toolchainPlatforms: toolchainPlatformList.optional(),
    /** The destination, when already chosen: its free space is checked as soon as sizes are known. */
    outDir: absolutePath.optional(),
  })
  .refine((r) => [r.projectDirs, r.goModFiles, r.modules, r.requestFiles].some((list) => list !== undefined && list.length > 0), {
    message: 'nothing to export: give projectDirs, goModFiles, modules or requestFiles',
    path: ['projectDirs'],
  });

/** A plan's file as the review screen gets it: what it needs to show, not the hashes the run checks. */
export type PlannedFileAnswer = Omit<PlannedFile, 'h1' | 'unpackedBytes'>;
export type PlannedModuleAnswer = Omit<PlannedModule, 'files'> & { files: PlannedFileAnswer[] };
export type PlanCountsAnswer = PlanCounts;

/** The checksum database's proofs as a screen shows them: how many files and bytes, not the files (a few MB of tiles). */
export type PlanProofsAnswer = Omit<PlanProofs, 'files'> & { files: number; bytes: number };

/** What an export would ship, as planExport made it; export:run takes its id, never the plan itself. */
export type ExportPlanAnswer = Omit<ExportPlan, 'format' | 'inputFiles' | 'checkTargets' | 'listed' | 'modules' | 'proofs'> & {
  modules: PlannedModuleAnswer[];
  /** Absent when the export asks no checksum database (GOSUMDB=off). */
  proofs?: PlanProofsAnswer;
};

export const exportRunRequest = z.strictObject({
  /** A plan export:plan made on this window or connection (the last few are kept). */
  planId: z.string().regex(/^[0-9a-f]{64}$/, 'must be the id of a plan export:plan answered'),
  outDir: absolutePath,
  volumeSize: z.number().int('must be a whole number of bytes').min(MIN_VOLUME_BYTES).optional(),
  /** False skips proving the bundle with the go command. */
  check: z.boolean(),
});

export interface ExportRunResult {
  bundleDir: string;
  bundleId: string;
  createdAt: string;
  volumes: number;
  files: number;
  bytes: number;
  moduleVersions: number;
  /** Files left out because the --since inventory says the offline store holds them. */
  leftOut: number;
  warnings: PlanWarning[];
  unmet: UnmetRequest[];
  /** not-asked: check was false; no-go: no go command on this machine; go-too-old: it is older than every project asks for. */
  check: { status: 'passed' } | { status: 'skipped'; reason: 'not-asked' | 'no-go' | 'go-too-old' };
  signer: { fingerprint: string; created: boolean };
  /** The checksum database's proofs the bundle carries; absent when none were asked for (GOSUMDB=off). */
  proofs?: PlanProofsAnswer;
}
