import path from 'node:path';
import { signingKeysDir, trustedKeysDir, type AppDirs } from '../appDirs/appDirs';
import { cacheUsage, type CacheUsage } from '../cache/cacheMaintenance';
import { NoSigningKeyError, ownSigningKey } from '../keys/signingKey';
import { trustStore } from '../keys/trustStore';
import { openStoreIfMade } from '../store/diskStore';

export type StoreStatus =
  | { dir: string; exists: false }
  | { dir: string; exists: true; modules: number; versions: number; bytes: number; bundles: number };

/** What ModFerry keeps on this machine, as `modferry status` shows it. Reads only: nothing is created. */
export interface MachineStatus {
  data: string;
  store: StoreStatus;
  trustedKeys: Array<{ fingerprint: string; file: string }>;
  ownKey: { fingerprint: string; privateKeyFile: string; publicKeyFile: string | null } | null;
  cache: CacheUsage;
}

export async function machineStatus(dirs: AppDirs, storeDir = path.join(dirs.data, 'store')): Promise<MachineStatus> {
  return {
    data: dirs.data,
    store: storeStatus(storeDir),
    trustedKeys: (await trustStore(trustedKeysDir(dirs)).list()).map((k) => ({ fingerprint: k.fingerprint, file: k.file })),
    ownKey: await ownKey(dirs),
    cache: await cacheUsage(dirs),
  };
}

function storeStatus(dir: string): StoreStatus {
  const store = openStoreIfMade(dir, { mode: 'read' });
  if (store === undefined) return { dir, exists: false };
  try {
    return { dir, exists: true, ...store.stats(), bundles: store.bundles().length };
  } finally {
    store.close();
  }
}

async function ownKey(dirs: AppDirs): Promise<MachineStatus['ownKey']> {
  try {
    const own = await ownSigningKey(signingKeysDir(dirs));
    return { fingerprint: own.key.fingerprint, privateKeyFile: own.privateKeyFile, publicKeyFile: own.publicKeyFile ?? null };
  } catch (error) {
    if (error instanceof NoSigningKeyError) return null;
    throw error;
  }
}
