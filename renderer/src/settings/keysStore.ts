import { create } from 'zustand';
import type { DriveAnswer } from '../../../shared/ipc/drivesChannel';
import type { OwnKeyAnswer, TrustedKeyAnswer, TrustFileAnswer } from '../../../shared/ipc/keysChannels';
import { client } from '../ipc/client';

type KeyWork = 'trust' | 'untrust' | 'write';

interface KeysState {
  trusted?: TrustedKeyAnswer[];
  /** null: this machine has no signing key yet (the first export makes one). */
  own?: OwnKeyAnswer | null;
  /** The drives offered for writing, for the public key. */
  drives?: DriveAnswer[];
  loadError?: unknown;
  drivesError?: unknown;
  busy?: KeyWork;
  /** The last piece of work, how it ended: shown beside the control that started it. */
  done?: { work: 'trust'; key: TrustFileAnswer } | { work: 'untrust'; key: TrustedKeyAnswer } | { work: 'write'; file: string };
  failed?: { work: KeyWork; error: unknown };
  load(): Promise<void>;
  loadDrives(): Promise<void>;
  trustFile(file: string): Promise<void>;
  untrust(fingerprint: string): Promise<void>;
  writePublic(destination: string): Promise<void>;
}

/** The signers this machine trusts and its own signing key, as the Settings screen manages them. */
export const useKeysStore = create<KeysState>((set, get) => {
  /** One piece of work at a time; the trusted list is read again after any change. */
  const run = async (work: KeyWork, action: () => Promise<KeysState['done']>): Promise<void> => {
    set({ busy: work, done: undefined, failed: undefined });
    try {
      const done = await action();
      set({ done, busy: undefined });
    } catch (error) {
      set({ failed: { work, error }, busy: undefined });
    }
    if (work !== 'write') await get().load();
  };
  return {
    load: async () => {
      try {
        const [trusted, own] = await Promise.all([client.call('keys:list', {}), client.call('keys:own', {})]);
        set({ trusted, own: own.key, loadError: undefined });
      } catch (error) {
        set({ loadError: error });
      }
    },
    loadDrives: async () => {
      try {
        set({ drives: (await client.call('drives:list', {})).filter((drive) => drive.offered), drivesError: undefined });
      } catch (error) {
        set({ drivesError: error, drives: [] });
      }
    },
    trustFile: (file) => run('trust', async () => ({ work: 'trust', key: await client.call('keys:trustFile', { file }) })),
    untrust: (fingerprint) => run('untrust', async () => ({ work: 'untrust', key: await client.call('keys:untrust', { fingerprint }) })),
    writePublic: (destination) => run('write', async () => ({ work: 'write', file: (await client.call('keys:writePublic', { destination })).file })),
  };
});
