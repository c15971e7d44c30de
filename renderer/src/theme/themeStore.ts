import { create } from 'zustand';
import { readChoice, writeChoice } from '../app/storedChoice';

export const THEME_CHOICES = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];
const STORAGE_KEY = 'modferry.theme';

interface ThemeState {
  choice: ThemeChoice;
  choose(choice: ThemeChoice): void;
}

/** The theme asked for; 'system' leaves it to prefers-color-scheme, in the stylesheet. */
export const useThemeStore = create<ThemeState>((set) => ({
  choice: readChoice(STORAGE_KEY, THEME_CHOICES, 'system'),
  choose: (choice) => {
    writeChoice(STORAGE_KEY, choice);
    set({ choice });
  },
}));
