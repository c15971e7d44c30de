/**
 * Why a module version ships, and what an export warns about, as codes with their parameters: a screen
 * words them in its own language, and the CLI in English (planNotesText.ts).
 */

/** Where a replacement came from: the module it stands in for and the go.mod line saying so (`proj/go.mod:12`). */
export interface ReplacementNote {
  replaces: string;
  at: string;
}

/** Why a module version is in the plan; `root` is the project, go.mod or request file that needs it. */
export type ShipReason = (
  | { kind: 'selected'; root: string; /** The module that requires the version selected, when not the root's go.mod itself. */ by?: string }
  | { kind: 'required-by'; by: string; root: string }
  /** A go.mod of the operator's requires it directly. */
  | { kind: 'root-requires'; root: string }
  /** A --module or request-file line names it. */
  | { kind: 'requested'; root: string }
  /** Its go.mod holds the retractions `module@latest` honours. */
  | { kind: 'retractions'; module: string }
  /** A Go toolchain for `platform`; `detail` (in English) says who asked: a go.mod line or --toolchain. */
  | { kind: 'toolchain'; toolchain: string; platform: string; detail: string }
) & { replacement?: ReplacementNote };

/** A module version as `path version`, and in tidy-compat the version the build list has instead. */
export interface DifferingVersion {
  path: string;
  version: string;
  built?: string;
}

export type PlanWarning =
  /** A go.mod with no go.sum beside it: nothing it needs was checked against known hashes. */
  | { kind: 'no-go-sum'; file: string }
  /** `at` requires `module version`, which `excludeAt` excludes; `vanishes`: no version of it is left in the build list. */
  | { kind: 'excluded-require'; at: string; module: string; version: string; excludeAt: string; vanishes: boolean }
  /** The exclude at `at` drops the requirement of `requiredBy` on `module version`. */
  | { kind: 'exclude-drops'; at: string; module: string; version: string; requiredBy: string; vanishes: boolean }
  /** A replacement by a directory, which the operator must carry: `replaced` as the directive names it. */
  | { kind: 'directory-replace'; at: string; replaced: string; dir: string }
  /** Go 1.16 would select other versions, which go mod tidy checks by default. */
  | { kind: 'tidy-compat'; file: string; differing: DifferingVersion[]; more: number }
  /** A requirement outside the pruned module graph could not be read: skipped. `detail` is the resolver's own account, in English. */
  | { kind: 'outside-pruned-graph'; module: string; detail: string }
  /**
   * The go.mod of the module's latest version says the module is deprecated (as the go command reads
   * it); `notice` is its author's words, `version` the version that ships.
   */
  | { kind: 'deprecated'; module: string; version: string; notice: string }
  /**
   * The go.mod of the module's latest version retracts `version`, which ships; `rationale` is the
   * author's reason, when given; `latest` what `module@latest` answers, absent when every version is retracted.
   */
  | { kind: 'retracted'; module: string; version: string; rationale?: string; latest?: string }
  /** Listing the drives failed, so whether the folder is on a removable drive is unknown; `detail` in English. */
  | { kind: 'drive-unknown'; folder: string; detail: string }
  /** The folder is on no removable drive: `on` says which fixed or system drive holds it, when one does. */
  | { kind: 'not-removable'; folder: string; on?: { system: boolean; device: string; mountpoint: string } }
  /** An unfinished bundle an export left was removed; `writer` says how its writer is known to be gone. */
  | { kind: 'abandoned-removed'; dir: string; writer: WriterGone; kept: string[] }
  /** The checksum database could not be asked (`reason` in English): the bundle carries no proofs. */
  | { kind: 'proofs-unavailable'; database: string; reason: string }
  /** The checksum database has no record of these module versions: they carry no proof. */
  | { kind: 'proofs-unknown'; database: string; modules: string[] }
  /** After a good proof, the go command's scratch folders could not all be removed (`detail` in English). */
  | { kind: 'proof-cleanup'; detail: string }
  /**
   * This machine's go command (`go`, e.g. 1.19.8) is older than the Go `file` asks for (`needs`), or
   * than a dependency in its graph (`module`, as path@version) does: that project was not proven with it.
   */
  | { kind: 'go-too-old'; file: string; needs: string; go: string; module?: string };

/** How the process that wrote an unfinished bundle is known to be gone: `host` restarted since, or the process exited. */
export interface WriterGone {
  pid: number;
  host: string;
  gone: 'restarted' | 'exited';
}

export type PlanWarningKind = PlanWarning['kind'];
export type ShipReasonKind = ShipReason['kind'];

export const PLAN_WARNING_KINDS = [
  'no-go-sum', 'excluded-require', 'exclude-drops', 'directory-replace', 'tidy-compat', 'outside-pruned-graph', 'deprecated', 'retracted', 'drive-unknown', 'not-removable', 'abandoned-removed',
  'proofs-unavailable', 'proofs-unknown', 'proof-cleanup', 'go-too-old',
] as const satisfies readonly PlanWarningKind[];

export const SHIP_REASON_KINDS = ['selected', 'required-by', 'root-requires', 'requested', 'retractions', 'toolchain'] as const satisfies readonly ShipReasonKind[];
