import os from 'node:os';
import path from 'node:path';

/** Where ModFerry keeps its own state on this machine; MODFERRY_HOME moves all of it (tests, portable use). */
export interface AppDirs {
  /** Keys, trusted signers, catalogs, the default store. */
  data: string;
  /** The online side's content-addressed download cache. */
  cache: string;
}

/** Where the online side keeps its signing key. */
export function signingKeysDir(dirs: AppDirs = appDirs()): string {
  return path.join(dirs.data, 'keys');
}

/** Where the offline side keeps the public keys of the signers it trusts. */
export function trustedKeysDir(dirs: AppDirs = appDirs()): string {
  return path.join(dirs.data, 'trusted-keys');
}

export function appDirs(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): AppDirs {
  if (env.MODFERRY_HOME) return { data: env.MODFERRY_HOME, cache: path.join(env.MODFERRY_HOME, 'cache') };
  if (platform === 'win32') {
    const appData = env.APPDATA ?? path.join(home, 'AppData', 'Roaming');
    const localAppData = env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local');
    return { data: path.join(appData, 'ModFerry'), cache: path.join(localAppData, 'ModFerry', 'cache') };
  }
  if (platform === 'darwin') {
    return { data: path.join(home, 'Library', 'Application Support', 'ModFerry'), cache: path.join(home, 'Library', 'Caches', 'ModFerry') };
  }
  return {
    data: path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'modferry'),
    cache: path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'modferry'),
  };
}
