import { create } from 'zustand';
import { readChoice, writeChoice } from '../app/storedChoice';
import { chooseLanguage, LANGUAGES, type Language } from './language';

export type LanguageChoice = 'system' | Language;
const CHOICES: readonly LanguageChoice[] = ['system', ...LANGUAGES];
const STORAGE_KEY = 'modferry.language';

interface LanguageState {
  choice: LanguageChoice;
  /** What the system's preferences pick. */
  system: Language;
  /** The language in use. */
  language: Language;
  choose(choice: LanguageChoice): void;
  /** The browser's preferences changed (its languagechange event). */
  systemChanged(preferred: readonly string[]): void;
}

const inUse = (choice: LanguageChoice, system: Language): Language => (choice === 'system' ? system : choice);

export const useLanguageStore = create<LanguageState>((set, get) => {
  const choice = readChoice(STORAGE_KEY, CHOICES, 'system');
  const system = chooseLanguage(navigator.languages);
  return {
    choice,
    system,
    language: inUse(choice, system),
    choose: (next) => {
      writeChoice(STORAGE_KEY, next);
      set({ choice: next, language: inUse(next, get().system) });
    },
    systemChanged: (preferred) => {
      const nextSystem = chooseLanguage(preferred);
      set({ system: nextSystem, language: inUse(get().choice, nextSystem) });
    },
  };
});
