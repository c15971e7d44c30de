/**
 * An export's plan as data: what would ship and why, made by core's planExport and carried to a review
 * screen. Types only: planning and running are core's.
 */
import type { BundleInput, UnmetRequest } from '../bundle/manifest';
import type { ModuleVersion } from '../gomod/goModFile';
import type { PlanWarning, ShipReason } from './planNotes';

// 2: reasons and warnings are codes with parameters, no longer English sentences.
export const EXPORT_PLAN_FORMAT = 2;

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
  reason: ShipReason;
  neededBy: string[];
  /** The `// Deprecated:` notice in the go.mod of the module's latest version, for a version whose zip ships. */
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
  /** Input warnings, what resolution reports (directory replaces, retractions), and retracted versions and deprecated modules that ship. */
  warnings: PlanWarning[];
  /** The checksum database's proofs the bundle carries; absent when the export was asked for none (GOSUMDB=off). */
  proofs?: PlanProofs;
}

/** A file of the checksum database the bundle carries, kept in the download cache under its SHA-256. */
export interface PlannedProofFile {
  /** `sumdb/<name>/latest`, `.../lookup/<path>@<version>` or `.../tile/8/<L>/<N>[.p/<W>]`. */
  path: string;
  size: number;
  sha256: string;
}

/**
 * What the export learnt from the checksum database: every module version that ships (zip or go.mod
 * alone) and is not private has its record proven against one signed tree head and its hashes equal
 * to what was downloaded; the bundle carries those records, the head and the tiles proving them.
 */
export interface PlanProofs {
  /** The database's name, e.g. `sum.golang.org`. */
  database: string;
  /**
   * carried: the proofs ship. unavailable: the database could not be asked (`reason` says why) and
   * the bundle carries none; the offline go command then needs GONOSUMDB or GOSUMDB=off.
   */
  status: 'carried' | 'unavailable';
  reason?: string;
  /** Module versions whose records ship. */
  versions: number;
  /** Module versions GONOSUMDB (or GOPRIVATE) keeps from the database: they carry no record. */
  private: number;
  /** Module versions the database has no record of (it answered "not found"). */
  unknown: string[];
  /** The size of the tree of the signed head every record is proven against. */
  treeSize?: number;
  /**
   * Sizes of older heads of the database (ones earlier bundles carried, the offline store's newest)
   * a go command may have cached: the bundle carries the tiles proving `treeSize` extends each.
   */
  earlierHeads?: number[];
  files: PlannedProofFile[];
}


/** What the go command proves a bundle with: one per project, go.mod or list of bare modules. */
export interface GoCheckTarget {
  name: string;
  /** Checked as a project: sources copied, `go mod download all` and every package compiled. */
  projectDir?: string;
  /** Checked from go.mod (and go.sum) alone: `go mod download all`. */
  goModFile?: string;
  /** Bare modules: a scratch module requires them and `go mod download all` fetches their build list. */
  modules?: Array<{ path: string; version: string }>;
}
