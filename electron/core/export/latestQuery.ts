/**
 * `path@latest` answered over the upstream as `go list -m path@latest` answers it (queryLatestVersion),
 * and the go.mod it read the retractions from, which the bundle ships so that the offline go command
 * can read the same retractions.
 */
import { readFile } from 'node:fs/promises';
import { parseGoMod, type GoModFile, type ModuleVersion } from '../../../shared/gomod/goModFile';
import { legacyGoMod, queryLatestVersion, type LatestQueryAnswer, type VersionInterval } from '../../../shared/gomod/latest';
import { moduleKey, sortModuleVersions } from '../resolve/moduleVersions';
import type { Resolution } from '../resolve/resolveRequirements';
import { ModuleNotFoundError, type UpstreamClient } from '../upstream/upstreamClient';
import type { AnsweredRoot } from './wishList';

export interface LatestAnswer {
  version: string;
  /** The version whose go.mod holds the retractions the answer honours, when there is one. */
  retractionsFrom?: string;
}

/** The upstream has the module, yet no version the go command would answer for `@latest` (all retracted, say). */
export class NoMatchingVersionError extends ModuleNotFoundError {
  override name = 'NoMatchingVersionError';

  constructor(modulePath: string) {
    super(modulePath, 'latest', []);
    this.message = `${modulePath}@latest: no matching versions for query "latest"`;
  }
}

export async function queryLatest(client: UpstreamClient, modulePath: string): Promise<LatestAnswer> {
  const { answer } = await latestOverUpstream(client, modulePath);
  if (answer.version === undefined) throw new NoMatchingVersionError(modulePath);
  const { Version } = await client.info(modulePath, answer.version);
  return { version: Version, ...(answer.retractionsFrom === undefined ? {} : { retractionsFrom: answer.retractionsFrom }) };
}

/**
 * queryLatestVersion over the upstream: what `path@latest` answers honouring retractions (absent when
 * every version is retracted), the version whose go.mod holds them, and that go.mod, parsed (absent when
 * it cannot be read). The list, `@latest` and each go.mod are asked once however often the rules look.
 */
export async function latestOverUpstream(client: UpstreamClient, modulePath: string): Promise<{ answer: LatestQueryAnswer; goMod?: GoModFile }> {
  const texts = new Map<string, Promise<string>>();
  const text = (version: string): Promise<string> => {
    let read = texts.get(version);
    if (read === undefined) {
      read = client.fetch(modulePath, version, 'mod').then((fetched) => readFile(fetched.file, 'utf8'));
      texts.set(version, read);
    }
    return read;
  };
  const goMod = async (version: string): Promise<GoModFile | undefined> => {
    try {
      return parseGoMod(await text(version), `${modulePath}@${version}/go.mod`, { lax: true });
    } catch {
      return undefined;
    }
  };
  let listed: Promise<readonly string[]> | undefined;
  let latest: Promise<string | undefined> | undefined;
  const answer = await queryLatestVersion({
    versions: () =>
      (listed ??= client.list(modulePath).catch((error: unknown) => {
        // The question was path@latest, and the missing module is named as asked.
        throw error instanceof ModuleNotFoundError ? new ModuleNotFoundError(modulePath, 'latest', error.reasons) : error;
      })),
    hasGoMod: async (version) => (await text(version)) !== legacyGoMod(modulePath),
    retractions: async (version): Promise<VersionInterval[]> => (await goMod(version))?.retract ?? [],
    latest: () =>
      (latest ??= client.latest(modulePath).then(
        (info) => info.Version,
        (error: unknown) => {
          if (error instanceof ModuleNotFoundError) return undefined;
          throw error;
        },
      )),
  });
  const retractionsGoMod = answer.retractionsFrom === undefined ? undefined : await goMod(answer.retractionsFrom);
  return { answer, ...(retractionsGoMod === undefined ? {} : { goMod: retractionsGoMod }) };
}

/** A `path@latest` a root asked for, answered, with the version whose go.mod held the retractions. */
export interface RetractionSource {
  rootName: string;
  /** The answered module, as the root now names it. */
  module: ModuleVersion;
  retractionsFrom: string;
}

/**
 * The resolution with the .mod (and .info) of every retraction source added, for the roots still in it,
 * so the offline go command reads the retractions the answer honoured; `listed` are those versions, for
 * the bundle's `@v/list`. Listing them is safe: each retracts itself (it is the latest version ignoring
 * retractions, yet not the answer), so `@latest` never picks one, and it is how the go command comes
 * to read their go.mod at all.
 */
export function withRetractionSources(
  resolution: Resolution,
  roots: readonly AnsweredRoot[],
  sources: readonly RetractionSource[],
): { resolution: Resolution; listed: ModuleVersion[] } {
  const asked = new Set(roots.flatMap((root) => (root.modules ?? []).map((m) => `${root.name}\n${moduleKey(m)}`)));
  const modFiles = new Map(resolution.modFiles.map((m) => [moduleKey(m), m]));
  const neededBy = new Map(resolution.neededBy);
  const reasons = new Map(resolution.reasons);
  const listed = new Map<string, ModuleVersion>();
  for (const source of sources) {
    if (!asked.has(`${source.rootName}\n${moduleKey(source.module)}`)) continue;
    const shipped = { path: source.module.path, version: source.retractionsFrom };
    const key = moduleKey(shipped);
    modFiles.set(key, shipped);
    listed.set(key, shipped);
    neededBy.set(key, [...new Set([...(neededBy.get(key) ?? []), source.rootName])]);
    if (!reasons.has(key)) reasons.set(key, { kind: 'retractions', module: source.module.path });
  }
  return { resolution: { ...resolution, modFiles: sortModuleVersions(modFiles.values()), neededBy, reasons }, listed: sortModuleVersions(listed.values()) };
}
