import { create } from 'zustand';
import type { RecentActivityAnswer } from '../../../shared/ipc/settingsChannels';
import { forgetChoice, readChoice, writeChoice } from '../app/storedChoice';
import { client } from '../ipc/client';

export const SIDES = ['online', 'offline'] as const;
/** Online: this machine reaches the internet and exports. Offline: it imports and serves. */
export type Side = (typeof SIDES)[number];
const STORAGE_KEY = 'modferry.side';
/** As many as fit the start screen at a glance. */
const RECENT = 5;

interface StartState {
  /** Which side of the air gap this machine is on, once the operator has said. */
  side: Side | undefined;
  /** The last exports and imports, once read. */
  activity?: RecentActivityAnswer;
  activityError?: unknown;
  /** undefined: not known (the saved settings say nobody has chosen yet). */
  choose(side: Side | undefined): void;
  loadActivity(): Promise<void>;
}

export const useStartStore = create<StartState>((set) => ({
  side: readChoice(STORAGE_KEY, SIDES, undefined),
  choose: (side) => {
    if (side === undefined) forgetChoice(STORAGE_KEY);
    else writeChoice(STORAGE_KEY, side);
    set({ side });
  },
  loadActivity: async () => {
    try {
      set({ activity: await client.call('activity:recent', { limit: RECENT }), activityError: undefined });
    } catch (error) {
      set({ activityError: error });
    }
  },
}));
