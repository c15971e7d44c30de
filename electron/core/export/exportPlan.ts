/**
 * What an export would ship, worked out before anything is written: the review screen shows it and
 * runExport carries it out, so the two agree. Plain JSON data (it crosses IPC and comes back), with an
 * identity that runExport checks before trusting it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { BundleInput, UnmetRequest } from '../../../shared/bundle/manifest';
import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import { ModFerryError } from '../errors/modferryError';
import type { GoCheckTarget } from './goCheck';

export const EXPORT_PLAN_FORMAT = 1;

/** One of a module version's files, downloaded and verified while planning. */
export interface PlannedFile {
  kind: 'info' | 'mod' | 'zip';
  size: number;
  sha256: string;
  h1?: string;
  /** A zip's files, uncompressed: what the go command writes when it extracts it. */
  unpackedBytes?: number;
  /** The --since inventory says the offline store holds it: it is left out of the bundle. */
  heldOffline: boolean;
  /** The latest earlier export from this machine that carried it (still shipped: only an inventory proves the offline side has it). */
  exportedIn?: string;
}

export interface PlannedModule extends ModuleVersion {
  /** Whether its source zip ships (otherwise only .info and .mod, for the graph). */
  zip: boolean;
  reason: string;
  neededBy: string[];
  /** The notice its go.mod gives under `// Deprecated:`, for a version whose zip ships. */
  deprecated?: string;
  files: PlannedFile[];
}

export interface PlanCounts {
  modules: number;
  files: number;
  bytes: number;
}

export interface ExportPlan {
  format: typeof EXPORT_PLAN_FORMAT;
  /** SHA-256 of everything else in the plan: a plan changed after it was made is refused. */
  id: string;
  createdAt: string;
  /** The GOPROXY list the files came from; a file the download cache lost is asked of it again. */
  upstream: string;
  /** Each project, go.mod, --module or request file, as the manifest records it. */
  inputs: Array<{ name: string; input: BundleInput }>;
  /** Every file the plan was made from, with its SHA-256: a plan whose inputs changed since is refused. */
  inputFiles: Array<{ file: string; sha256: string }>;
  /** What the go command proves the bundle with. */
  checkTargets: GoCheckTarget[];
  /** Versions each module's `@v/list` names besides those whose zips ship (retraction sources, what the offline store holds). */
  listed: ModuleVersion[];
  modules: PlannedModule[];
  /**
   * What the bundle carries: module versions with at least one file shipping, and every file it writes,
   * the `@v/list` file of each module included (`lists` of them; they ship even when the inventory holds the rest).
   */
  totals: PlanCounts & { zips: number; lists: number };
  alreadyCarried: {
    /** Left out: the --since inventory says the offline store holds them. */
    heldOffline: PlanCounts;
    /** Shipped again, though an earlier export from this machine carried them. */
    exportedBefore: PlanCounts & { bundles: string[] };
  };
  /** Request-file lines left out, each with why. */
  unmet: UnmetRequest[];
  /** Input warnings, what resolution reports (directory replaces, retractions), and deprecated modules. */
  warnings: string[];
}

export function planIdentity(plan: Omit<ExportPlan, 'id'> & { id?: string }): string {
  // JSON leaves out undefined keys: the identity is that of the plan without its id.
  return createHash('sha256').update(JSON.stringify({ ...plan, id: undefined })).digest('hex');
}

export async function fileSha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** Throws unless the plan is one planExport made, unchanged, and its input files still say what they said then. */
export async function requireCurrentPlan(plan: ExportPlan): Promise<void> {
  if (plan.format !== EXPORT_PLAN_FORMAT) {
    throw new ModFerryError('input', `export plan format ${String(plan.format)} is not ${EXPORT_PLAN_FORMAT}: make the plan again`);
  }
  if (planIdentity(plan) !== plan.id) throw new ModFerryError('input', 'the export plan was changed after it was made: make the plan again');
  for (const { file, sha256 } of plan.inputFiles) {
    const now = await fileSha256(file).catch(() => undefined);
    if (now !== sha256) {
      throw new ModFerryError('input', now === undefined ? 'gone since the export was planned: make the plan again' : 'changed since the export was planned: make the plan again', { file });
    }
  }
}

/** Sums the files that match, counting each module version once. */
export function countFiles(modules: readonly PlannedModule[], matches: (file: PlannedFile) => boolean): PlanCounts {
  let files = 0;
  let bytes = 0;
  let count = 0;
  for (const m of modules) {
    const matching = m.files.filter(matches);
    if (matching.length > 0) count++;
    files += matching.length;
    bytes += matching.reduce((sum, f) => sum + f.size, 0);
  }
  return { modules: count, files, bytes };
}
