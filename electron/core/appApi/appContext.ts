import type { AppDirs } from '../appDirs/appDirs';

/** What every handler may use, the same under Electron and `modferry ui`. */
export interface AppContext {
  dirs: AppDirs;
  /** The offline store; undefined is the default one in the data folder. */
  storeDir?: string;
  toolVersion: string;
}
