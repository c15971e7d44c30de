import type { AppSettings } from '../../../shared/settings/appSettings';
import { useLanguageStore } from '../i18n/languageStore';
import { useStartStore } from '../start/startStore';
import { useThemeStore } from '../theme/themeStore';
import { useSettingsStore, type ChoicePatch } from './settingsStore';

type Choice = keyof ChoicePatch;

/**
 * Language, theme and side live in the settings file in the data folder, so Electron and `modferry ui`
 * (in any browser) remember them. The page's localStorage still paints the first frame; once the
 * saved settings arrive they win, except a choice the operator made meanwhile. Every later choice,
 * wherever it is made (header, Settings, Start), is saved. Returns the unsubscribe.
 */
export function keepChoicesSaved(): () => void {
  const madeHere = new Set<Choice>();
  let applying = false;
  const chosen = (choice: Choice, patch: ChoicePatch): void => {
    if (applying) return;
    madeHere.add(choice);
    void useSettingsStore.getState().saveChoice(patch);
  };
  const unsubscribe = [
    useLanguageStore.subscribe((state, previous) => {
      if (state.choice !== previous.choice) chosen('language', { language: state.choice });
    }),
    useThemeStore.subscribe((state, previous) => {
      if (state.choice !== previous.choice) chosen('theme', { theme: state.choice });
    }),
    useStartStore.subscribe((state, previous) => {
      if (state.side !== previous.side) chosen('side', { side: state.side ?? null });
    }),
  ];
  const apply = (settings: AppSettings): void => {
    applying = true;
    try {
      if (!madeHere.has('language')) useLanguageStore.getState().choose(settings.language);
      if (!madeHere.has('theme')) useThemeStore.getState().choose(settings.theme);
      if (!madeHere.has('side')) useStartStore.getState().choose(settings.side ?? undefined);
    } finally {
      applying = false;
    }
  };
  void useSettingsStore.getState().load().then((answer) => {
    if (answer !== undefined) apply(answer.settings);
  });
  return () => unsubscribe.forEach((stop) => stop());
}
