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
  /** Reads under way are numbered: one begun earlier (the screen opening) that answers late must not undo a later one. */
  let reads = 0;
  /**
   * One piece of work at a time. After a change the trusted list is read again before the outcome
   * shows, so "added" never stands beside a list that lacks the key.
   */
  const run = async (work: KeyWork, action: () => Promise<KeysState['done']>): Promise<void> => {
    set({ busy: work, done: undefined, failed: undefined });
    let outcome: Pick<KeysState, 'done' | 'failed'>;
    try {
      outcome = { done: await action() };
    } catch (error) {
      outcome = { failed: { work, error } };
    }
    if (work !== 'write') await get().load();
    set({ ...outcome, busy: undefined });
  };
  return {
    load: async () => {
      const read = ++reads;
      try {
        const [trusted, own] = await Promise.all([client.call('keys:list', {}), client.call('keys:own', {})]);
        if (read === reads) set({ trusted, own: own.key, loadError: undefined });
      } catch (error) {
        if (read === reads) set({ loadError: error });
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
