import type { ProofFacts } from '../../../shared/store/storeFacts';

/** The database the go command checks against when GOSUMDB names none. */
const DEFAULT_SUMDB = 'sum.golang.org';

/** One variable the offline go command needs, with the reason a user reads next to it. */
export interface GoEnvSetting {
  name: string;
  value: string;
  why: string;
}

/**
 * The environment that makes an offline go command use the store and nothing else. `env` is the
 * environment of the shell the user will paste into (this process's, as the best guess): settings
 * that would route modules around the proxy are overridden, other GOFLAGS are kept.
 *
 * When the store holds checksum-database proofs for every version it serves, of the database the
 * go command checks against, GOPROXY is all it takes: the proxy answers the database's lookups and
 * tiles, and the go command verifies every module as it would online.
 *
 * Otherwise the database is not asked about modules. Go 1.21+ checks a downloaded toolchain against
 * it whatever GONOSUMDB says and refuses one under GOSUMDB=off, so when the store holds proofs of
 * that database for every toolchain it serves (`toolchainDatabases`), GONOSUMDB=* keeps toolchain
 * switching working where GOSUMDB=off would stop it.
 */
export function goClientEnvironment(proxyUrl: string, env: NodeJS.ProcessEnv, proofs?: ProofFacts, toolchainDatabases: readonly string[] = []): GoEnvSetting[] {
  const coverage = proofCoverage(env, proofs, toolchainDatabases);
  const database = coverage.database ?? undefined;
  const proven = coverage.proven;
  const unreachable = `the checksum database (${database ?? DEFAULT_SUMDB}) is unreachable offline${proofGap(proofs, database)}; ModFerry checked every hash against the signed bundle on import`;
  const settings: GoEnvSetting[] = proven
    ? [{ name: 'GOPROXY', value: proxyUrl, why: `download every module from this store, and the ${database} proofs the go command checks each one against` }]
    : [
        { name: 'GOPROXY', value: proxyUrl, why: 'download every module from this store' },
        coverage.toolchainsProven
          ? {
              name: 'GONOSUMDB',
              value: '*',
              why: `${unreachable}; Go toolchains are still checked against the ${database} proofs this store holds for them (GOSUMDB=off would stop GOTOOLCHAIN=auto)`,
            }
          : { name: 'GOSUMDB', value: 'off', why: unreachable },
        {
          name: 'GOFLAGS',
          value: withModMod(env.GOFLAGS ?? ''),
          why: 'let the go command add missing go.mod and go.sum lines from the store instead of stopping',
        },
      ];
  const bypass = ['GOPRIVATE', 'GONOPROXY'].filter((name) => (env[name] ?? '') !== '' && env[name] !== 'none');
  if (bypass.length > 0) {
    settings.push({
      name: 'GONOPROXY',
      value: 'none',
      why: `${bypass.join(' and ')} would send matching modules straight to their origin, which is unreachable offline`,
    });
  }
  return settings;
}

/**
 * Which checksum database the go command checks against (null: GOSUMDB=off), whether the store's
 * proofs cover every version it serves, and, when they do not, whether they still cover every
 * toolchain it serves (the lines then say GONOSUMDB=* rather than GOSUMDB=off).
 */
export interface ProofCoverage {
  database: string | null;
  proven: boolean;
  toolchainsProven: boolean;
}

export function proofCoverage(env: NodeJS.ProcessEnv, proofs?: ProofFacts, toolchainDatabases: readonly string[] = []): ProofCoverage {
  const database = sumdbName(env.GOSUMDB);
  if (database === undefined) return { database: null, proven: false, toolchainsProven: false };
  const proven = proofs !== undefined && proofs.withoutProof === 0 && proofs.databases.some((db) => db.name === database);
  return { database, proven, toolchainsProven: !proven && toolchainDatabases.includes(database) };
}

/** The database GOSUMDB names (`name`, `name+key` or `name+key url`), the default when unset; undefined for off. */
function sumdbName(gosumdb: string | undefined): string | undefined {
  const value = (gosumdb ?? '').trim();
  if (value === '') return DEFAULT_SUMDB;
  if (value === 'off') return undefined;
  return value.split(/[+\s]/)[0];
}

/** Why the store's proofs do not cover the go command's checks, when it holds some. */
function proofGap(proofs: ProofFacts | undefined, database: string | undefined): string {
  if (proofs === undefined || proofs.databases.length === 0) return '';
  const held = proofs.databases.map((db) => db.name).join(', ');
  if (database === undefined || !proofs.databases.some((db) => db.name === database)) return ` and the store holds proofs of ${held} only`;
  const named = proofs.firstWithout.join(', ');
  const more = proofs.withoutProof > proofs.firstWithout.length ? ', …' : '';
  return `, and ${proofs.withoutProof} module version(s) in the store have no proof from it (${named}${more})`;
}

/** GOFLAGS with `-mod=mod` in place of any other -mod flag. */
function withModMod(goflags: string): string {
  const others = goflags.split(/\s+/).filter((flag) => flag !== '' && !/^--?mod=/.test(flag));
  return [...others, '-mod=mod'].join(' ');
}

/** A line the user pastes into their shell: POSIX `export`, or PowerShell on Windows. */
export function shellAssignment(setting: Pick<GoEnvSetting, 'name' | 'value'>, platform: NodeJS.Platform): string {
  if (platform === 'win32') return `$env:${setting.name} = "${setting.value.replace(/[`"$]/g, '`$&')}"`;
  const value = /^[A-Za-z0-9_@%+=:,./-]+$/.test(setting.value) ? setting.value : `'${setting.value.replace(/'/g, `'\\''`)}'`;
  return `export ${setting.name}=${value}`;
}
