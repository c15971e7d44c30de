/**
 * What `go get module@latest` / `go list -m module@latest` resolve to, given the versions a proxy lists and
 * the module author's retractions (cmd/go/internal/modload/query.go and modfetch/proxy.go, go 1.19).
 */
import { isPseudoVersion, pseudoVersionDate, pseudoVersionTime } from './pseudoVersion';
import { compare, isValid, prerelease, sortVersions } from './semver';

/** A closed interval of versions, both bounds included, as in a go.mod `retract` directive (modfile.VersionInterval). */
export type VersionInterval = { low: string; high: string };

/**
 * Reports whether a retract directive covers version. Bounds compare by semver precedence, so build
 * metadata is ignored: retracting v2.0.0 also retracts v2.0.0+incompatible.
 */
export function isRetracted(version: string, retractions: readonly VersionInterval[]): boolean {
  return retractions.some(({ low, high }) => compare(low, version) <= 0 && compare(version, high) <= 0);
}

function last(sorted: readonly string[]): string | undefined {
  return sorted[sorted.length - 1];
}

/** The timestamp of ZeroPseudoVersion, the placeholder the go command writes when there is no real commit. */
const goZeroTime = '00010101000000';

/**
 * The go command only ever reaches pseudo-versions through the proxy's list when no tags exist, and then
 * it takes the one with the newest commit time, not the highest precedence: pseudo-versions on different
 * branches can have bases that disagree with their age. It skips timestamps that are not real times or
 * are not after Go's zero time. Equal times fall back to precedence so the answer never depends on the
 * order of the list.
 */
function newestPseudoVersion(pseudoVersions: readonly string[]): string | undefined {
  let best: { version: string; time: string } | undefined;
  for (const version of sortVersions(pseudoVersions)) {
    let time: string;
    try {
      time = pseudoVersionTime(version);
    } catch {
      continue;
    }
    // Fixed-width digit strings order chronologically.
    if (time > goZeroTime && (best === undefined || time >= best.time)) best = { version, time };
  }
  return best?.version;
}

/**
 * The version `@latest` resolves to among versions, or undefined when nothing qualifies: the highest
 * release, else the highest prerelease, else the newest pseudo-version. Invalid entries are ignored.
 *
 * Retracted versions are never chosen, even when that leaves nothing. Go 1.19 does not fall back to a
 * retracted version for @latest: its query treats disallowed versions as absent and reports
 * `no matching versions for query "latest"` when all are retracted (cmd/go testdata script
 * mod_list_retract.txt, module example.com/retract/self/all). Only `go list -m -retracted` and a
 * `go get -u` that keeps an already-selected version see retracted versions, and neither is @latest.
 *
 * Retracted pseudo-versions are dropped before the newest is chosen. A go command reading a proxy with
 * no @latest endpoint picks the newest first and reports no match if that one is retracted, because the
 * list says nothing about retractions (golang.org/issue/24031). Dropping first gives the answer a proxy's
 * @latest endpoint should serve, and the go command accepts it.
 *
 * The retractions that apply are those in the go.mod of the latest version ignoring retractions,
 * which is pickLatest(versions) with no retractions.
 *
 * '+incompatible' versions are candidates like any other. The go command additionally skips them when the
 * highest compatible version has a go.mod file; that needs the file's presence, so callers who know it
 * must drop those versions from the list themselves.
 */
export function pickLatest(versions: readonly string[], retractions: readonly VersionInterval[] = []): string | undefined {
  const allowed = versions.filter((v) => isValid(v) && !isRetracted(v, retractions));
  const tagged = allowed.filter((v) => !isPseudoVersion(v));
  return (
    last(sortVersions(tagged.filter((v) => prerelease(v) === ''))) ??
    last(sortVersions(tagged.filter((v) => prerelease(v) !== ''))) ??
    newestPseudoVersion(allowed.filter(isPseudoVersion))
  );
}

/**
 * What a proxy's `@latest` should answer so that the go command accepts it, given the go.mod
 * retractions of any version (`retractionsOf`; errors reading one count as none, as in the go command).
 *
 * The go command asks `@latest` only when its list query found nothing allowed: no tagged version,
 * or every one retracted (modload.queryProxy). It then accepts the answer only if the answer is not
 * retracted by the go.mod of the latest version ignoring retractions (modload.CheckRetractions):
 * - with tagged versions in the list, that is the highest tag, the same go.mod whatever @latest says,
 *   so the answer is pickLatest with that go.mod's retractions;
 * - with none, it is the @latest answer itself, so an answer is accepted only if its own go.mod does
 *   not retract it. The author's newest word still counts: versions the newest pseudo-version's go.mod
 *   retracts are never answered, and among the rest the newest whose own go.mod allows it is.
 * Undefined when nothing qualifies: the go command would report no matching versions either way.
 */
export function latestForProxy(versions: readonly string[], retractionsOf: (version: string) => readonly VersionInterval[]): string | undefined {
  const ignoringRetractions = pickLatest(versions);
  if (ignoringRetractions === undefined) return undefined;
  const newest = retractionsOf(ignoringRetractions);
  if (versions.some((v) => isValid(v) && !isPseudoVersion(v))) return pickLatest(versions, newest);
  let candidates = versions.filter((v) => !isRetracted(v, newest));
  for (;;) {
    const answer = pickLatest(candidates);
    if (answer === undefined || !isRetracted(answer, retractionsOf(answer))) return answer;
    candidates = candidates.filter((v) => v !== answer);
  }
}

/** What a `@latest` query reads of one module, as the go command reads it through a proxy (modfetch.Repo). */
export interface LatestQuerySource {
  /** The tagged versions of `@v/list`, sorted, pseudo-versions left out (repo.Versions). */
  versions(): Promise<readonly string[]>;
  /** Whether the version's .mod is a go.mod of its own, not the stand-in legacyGoMod (modload.versionHasGoMod). */
  hasGoMod(version: string): Promise<boolean>;
  /** The retract directives of the version's go.mod; none when it cannot be read or parsed, as in the go command. */
  retractions(version: string): Promise<readonly VersionInterval[]>;
  /** repo.Latest(): the proxy's `@latest`, else latestFromList over its list; undefined when it has neither. */
  latest(): Promise<string | undefined>;
}

export interface LatestQueryAnswer {
  /** The version `path@latest` resolves to; undefined when the go command finds no matching version. */
  version: string | undefined;
  /**
   * The latest version ignoring retractions, whose go.mod the retractions were read from
   * (modload.queryLatestVersionIgnoringRetractions); undefined when there is none.
   */
  retractionsFrom: string | undefined;
}

/** The .mod a proxy serves for a version that has no go.mod: the go command writes it (modfetch.LegacyGoMod). */
export function legacyGoMod(modulePath: string): string {
  return `module ${modulePath}\n`;
}

/**
 * `go list -m path@latest` (modload.queryProxy with CheckAllowed, go 1.19). Retractions come from the
 * go.mod of the latest version found with none applied; that search and the answer itself run the same
 * steps: the highest allowed release, else the highest allowed prerelease, with `+incompatible` versions
 * left out once the last allowed compatible version below them has a go.mod of its own; else the
 * proxy's own latest, if allowed.
 */
export async function queryLatestVersion(source: LatestQuerySource): Promise<LatestQueryAnswer> {
  const retractionsFrom = await latestAllowed(source, async () => true);
  // A latest version whose go.mod cannot be read retracts nothing (CheckRetractions errors do not disallow).
  const retractions = retractionsFrom === undefined ? [] : await source.retractions(retractionsFrom);
  const version = await latestAllowed(source, async (v) => !isRetracted(v, retractions));
  return { version, retractionsFrom };
}

async function latestAllowed(source: LatestQuerySource, allowed: (version: string) => Promise<boolean>): Promise<string | undefined> {
  const releases: string[] = [];
  const prereleases: string[] = [];
  let needIncompatible = false;
  let lastCompatible: string | undefined;
  for (const version of await source.versions()) {
    if (!(await allowed(version))) continue;
    if (!needIncompatible) {
      if (!version.endsWith('+incompatible')) {
        lastCompatible = version;
      } else if (lastCompatible !== undefined) {
        // The sorted list holds only +incompatible versions from here on (golang.org/issue/34165).
        if (await source.hasGoMod(lastCompatible)) break;
        needIncompatible = true;
      }
    }
    (prerelease(version) === '' ? releases : prereleases).push(version);
  }
  const tagged = last(releases) ?? last(prereleases);
  if (tagged !== undefined) return tagged;
  const latest = await source.latest();
  return latest !== undefined && (await allowed(latest)) ? latest : undefined;
}

/**
 * The version a proxy without `@latest` stands for it, read from its `@v/list` lines
 * (modfetch.proxyRepo.latestFromList): the newest by the time a line gives after the version, else
 * by a pseudo-version's own time; a tag with no time on its line is skipped. The first of equal times wins.
 */
export function latestFromList(lines: readonly string[]): string | undefined {
  let best: { version: string; time: number } | undefined;
  for (const line of lines) {
    const [version, stamp] = line.trim().split(/\s+/);
    if (version === undefined || !isValid(version)) continue;
    const time = stamp !== undefined ? Date.parse(stamp) : isPseudoVersion(version) ? pseudoVersionMillis(version) : Number.NaN;
    if (Number.isFinite(time) && time > goZeroMillis && (best === undefined || time > best.time)) best = { version, time };
  }
  return best?.version;
}

// Go's zero time, 0001-01-01T00:00:00Z; Date.UTC would read year 1 as 1901.
const goZeroMillis = new Date(0).setUTCFullYear(1, 0, 1);

function pseudoVersionMillis(version: string): number {
  try {
    return pseudoVersionDate(version).getTime();
  } catch {
    return Number.NaN;
  }
}
