/**
 * The retractions and deprecations `go list -m -u -retracted all` reports for the versions a plan ships,
 * read over the upstream as the go command reads them: from the go.mod of each module's latest version
 * ignoring retractions (modload.queryLatestVersionIgnoringRetractions), whichever version ships.
 */
import type { PlanWarning } from '../../../shared/export/planNotes';
import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import { TOOLCHAIN_MODULE } from '../../../shared/gomod/goToolchain';
import { moduleKey } from '../resolve/moduleVersions';
import type { Resolution } from '../resolve/resolveRequirements';
import type { UpstreamClient } from '../upstream/upstreamClient';
import { latestOverUpstream } from './latestQuery';
import { moduleNotices, type AuthorsWord } from './moduleNotices';

/** How long the plan waits, once its files are in, for lookups still unanswered. */
export const NOTICE_WAIT_MS = 5_000;

export interface ModuleNoticeFindings {
  /** 'retracted' and 'deprecated' warnings, in the resolution's order of versions. */
  warnings: PlanWarning[];
  /** `path@version` → the deprecation notice, for each version that ships a zip of a deprecated module. */
  deprecated: Map<string, string>;
}

/**
 * One lookup per module path, shared by every resolution of one plan. A warning is best effort: a lookup
 * that fails (the module unknown to the upstream, no version listed, a network error, a go.mod that does
 * not parse) gives no warning and fails nothing, as the go command only reports what it could load.
 */
export class ModuleNoticeLookup {
  private readonly words = new Map<string, Promise<AuthorsWord | undefined>>();

  constructor(private readonly client: UpstreamClient) {}

  /** Starts the lookups for the modules the resolution ships, so they run while its files download. */
  start(resolution: Resolution): void {
    for (const m of judgedVersions(resolution)) this.wordOn(m.path);
  }

  /**
   * The warnings for what the resolution ships, from the lookups answered within `waitMs` from now: the
   * lookups have had the downloads' time already, and an upstream slow to list a module (one that asks a
   * version control host first) must not hold the export up for a warning. The rest are left unsaid.
   */
  async findings(resolution: Resolution, waitMs = NOTICE_WAIT_MS): Promise<ModuleNoticeFindings> {
    const judged = judgedVersions(resolution);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, waitMs, undefined);
    });
    const words = await Promise.all(judged.map((m) => Promise.race([this.wordOn(m.path), late]))).finally(() => clearTimeout(timer));
    const warnings = judged.flatMap((m, i) => (words[i] === undefined ? [] : moduleNotices(m, words[i])));
    const deprecated = new Map(warnings.flatMap((w) => (w.kind === 'deprecated' ? [[moduleKey({ path: w.module, version: w.version }), w.notice] as const] : [])));
    return { warnings, deprecated };
  }

  private wordOn(modulePath: string): Promise<AuthorsWord | undefined> {
    let word = this.words.get(modulePath);
    if (word === undefined) {
      word = authorsWord(this.client, modulePath).catch(() => undefined);
      this.words.set(modulePath, word);
    }
    return word;
  }
}

/**
 * The versions the go command would judge: those whose zips ship (the build list), but not Go
 * toolchains, and not replacements (the go command judges a replaced module by its own path, and
 * reads nothing for a module replaced in all its versions).
 */
function judgedVersions(resolution: Resolution): ModuleVersion[] {
  return resolution.zipFiles.filter((m) => m.path !== TOOLCHAIN_MODULE && resolution.reasons.get(moduleKey(m))?.replacement === undefined);
}

/**
 * The go.mod of the latest version ignoring retractions, and what `@latest` answers honouring them. A
 * .mod comes through the download cache, so when the version that ships is the latest, as it mostly is,
 * it costs no request. A .mod read only for this does not ship.
 */
async function authorsWord(client: UpstreamClient, modulePath: string): Promise<AuthorsWord | undefined> {
  const { answer, goMod: newest } = await latestOverUpstream(client, modulePath);
  if (newest === undefined) return undefined;
  const deprecated = newest.module?.deprecated;
  return {
    retract: newest.retract,
    ...(deprecated === undefined ? {} : { deprecated }),
    ...(answer.version === undefined ? {} : { latest: answer.version }),
  };
}
