import { LanguageSelect } from '../i18n/LanguageSelect';
import { useI18n } from '../i18n/useI18n';
import { THEME_CHOICES, useThemeStore } from '../theme/themeStore';

/** Language and theme; each change applies at once and is remembered. */
export function SettingsScreen() {
  const { t } = useI18n();
  const { choice: theme, choose: chooseTheme } = useThemeStore();
  return (
    <section aria-labelledby="settings-title" className="screen settings">
      <h2 id="settings-title">{t('screen.settings')}</h2>
      <p className="hint">{t('settings.savedHint')}</p>
      <LanguageSelect label={t('settings.language')} className="field" />
      <fieldset className="field">
        <legend>{t('settings.theme')}</legend>
        {THEME_CHOICES.map((choice) => (
          <label key={choice} className="radio">
            <input type="radio" name="theme" value={choice} checked={theme === choice} onChange={() => chooseTheme(choice)} data-testid={`theme-${choice}`} />
            {t(`settings.theme.${choice}`)}
          </label>
        ))}
      </fieldset>
    </section>
  );
}
