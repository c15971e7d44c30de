/**
 * `path@latest` answered over the upstream as `go list -m path@latest` answers it (queryLatestVersion),
 * and the go.mod it read the retractions from, which the bundle ships so that the offline go command
 * can read the same retractions.
 */
import { readFile } from 'node:fs/promises';
import { parseGoMod } from '../../../shared/gomod/goModFile';
import { legacyGoMod, queryLatestVersion, type VersionInterval } from '../../../shared/gomod/latest';
import { ModuleNotFoundError, type UpstreamClient } from '../upstream/upstreamClient';

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
  const goMod = async (version: string): Promise<string> => readFile((await client.fetch(modulePath, version, 'mod')).file, 'utf8');
  const answer = await queryLatestVersion({
    versions: () => client.list(modulePath),
    hasGoMod: async (version) => (await goMod(version)) !== legacyGoMod(modulePath),
    retractions: async (version): Promise<VersionInterval[]> => {
      try {
        return parseGoMod(await goMod(version), `${modulePath}@${version}/go.mod`, { lax: true }).retract;
      } catch {
        return [];
      }
    },
    latest: async () => {
      try {
        return (await client.latest(modulePath)).Version;
      } catch (error) {
        if (error instanceof ModuleNotFoundError) return undefined;
        throw error;
      }
    },
  });
  if (answer.version === undefined) throw new NoMatchingVersionError(modulePath);
  const { Version } = await client.info(modulePath, answer.version);
  return { version: Version, ...(answer.retractionsFrom === undefined ? {} : { retractionsFrom: answer.retractionsFrom }) };
}
