import { create } from 'zustand';
import { readChoice, writeChoice } from '../app/storedChoice';

export const SIDES = ['online', 'offline'] as const;
/** Online: this machine reaches the internet and exports. Offline: it imports and serves. */
export type Side = (typeof SIDES)[number];
const STORAGE_KEY = 'modferry.side';

interface StartState {
  /** Which side of the air gap this machine is on, once the operator has said. */
  side: Side | undefined;
  choose(side: Side): void;
}

export const useStartStore = create<StartState>((set) => ({
  side: readChoice(STORAGE_KEY, SIDES, undefined),
  choose: (side) => {
    writeChoice(STORAGE_KEY, side);
    set({ side });
  },
}));
