import { translator, type Translate } from './catalog';
import { formatters, type Formatters } from './format';
import type { Language } from './language';
import { useLanguageStore } from './languageStore';

export interface I18n {
  language: Language;
  t: Translate;
  format: Formatters;
}

const cache = new Map<Language, I18n>();

/** The translator and formatters for a language, made once: components get the same object back on each render. */
export function i18nFor(language: Language): I18n {
  let i18n = cache.get(language);
  if (i18n === undefined) {
    const t = translator(language);
    i18n = { language, t, format: formatters(language, t) };
    cache.set(language, i18n);
  }
  return i18n;
}

/** The app's language for a component: it renders again when the language changes. */
export function useI18n(): I18n {
  return i18nFor(useLanguageStore((state) => state.language));
}
