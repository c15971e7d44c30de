import { create } from 'zustand';
import type { AppInfo } from '../../shared/ipc/appChannels';
import { errorMessage } from '../../shared/errorMessage';
import { client } from './ipc/client';

interface AppState {
  info?: AppInfo;
  error?: string;
  load(): Promise<void>;
}

export const useAppStore = create<AppState>((set) => ({
  load: async () => {
    try {
      set({ info: await client.call('app:info', {}) });
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },
}));
