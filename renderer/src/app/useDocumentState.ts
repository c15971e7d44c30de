import { useEffect } from 'react';
import { useLanguageStore } from '../i18n/languageStore';
import { useI18n } from '../i18n/useI18n';
import { useThemeStore } from '../theme/themeStore';
import { SCREEN_TITLES, useNavigation } from './navigation';

/**
 * Keeps the document in step with the app: html lang (screen readers' voice, fonts), the theme the
 * stylesheet reads, the title, and the browser's own language and address changes.
 */
export function useDocumentState(): void {
  const { language, t } = useI18n();
  const theme = useThemeStore((state) => state.choice);
  const screen = useNavigation((state) => state.screen);
  const systemChanged = useLanguageStore((state) => state.systemChanged);
  const hashChanged = useNavigation((state) => state.hashChanged);

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    document.title = `${t(SCREEN_TITLES[screen])} · ${t('app.name')}`;
  }, [screen, t]);
  useEffect(() => {
    const onLanguages = (): void => systemChanged(navigator.languages);
    const onHash = (): void => hashChanged(location.hash);
    window.addEventListener('languagechange', onLanguages);
    window.addEventListener('hashchange', onHash);
    return () => {
      window.removeEventListener('languagechange', onLanguages);
      window.removeEventListener('hashchange', onHash);
    };
  }, [systemChanged, hashChanged]);
}
