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
 */
export function goClientEnvironment(proxyUrl: string, env: NodeJS.ProcessEnv): GoEnvSetting[] {
  const settings: GoEnvSetting[] = [
    { name: 'GOPROXY', value: proxyUrl, why: 'download every module from this store' },
    {
      name: 'GOSUMDB',
      value: 'off',
      why: 'the checksum database (sum.golang.org) is unreachable offline; ModFerry checked every hash against the signed bundle on import',
    },
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
