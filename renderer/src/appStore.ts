import { create } from 'zustand';
import type { AppInfo } from '../../shared/ipc/contract';
import { bridge } from './bridge';

interface AppState {
  info?: AppInfo;
  error?: string;
  load(): Promise<void>;
}

export const useAppStore = create<AppState>((set) => ({
  load: async () => {
    try {
      set({ info: await bridge().invoke('app:info', {}) });
    } catch (error) {
      set({ error: error instanceof Error ? error.message : String(error) });
    }
  },
}));
