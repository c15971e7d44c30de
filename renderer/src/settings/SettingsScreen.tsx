import { useEffect } from 'react';
import type { SettingsProblem } from '../../../shared/settings/appSettings';
import { ErrorView } from '../ErrorView';
import { LanguageSelect } from '../i18n/LanguageSelect';
import { useI18n } from '../i18n/useI18n';
import { THEME_CHOICES, useThemeStore } from '../theme/themeStore';
import { useKeysStore } from './keysStore';
import { OwnKey } from './OwnKey';
import { ListenSetting, StoreDirSetting, ToolchainPlatformsSetting, UpstreamSetting } from './SettingForms';
import { useSettingsStore } from './settingsStore';
import { TrustedKeys } from './TrustedKeys';

/** A settings file that could not be used: said calmly, as the defaults are in use and the file is kept. */
function ProblemNotice({ problem }: { problem: SettingsProblem }) {
  const { t } = useI18n();
  return (
    <div role="status" className="notice" data-testid="settings-problem">
      <p>
        {problem.field === undefined
          ? t('settings.problem', { file: problem.file, reason: problem.reason })
          : t('settings.problem.field', { file: problem.file, field: problem.field, reason: problem.reason })}
      </p>
      <p>{problem.keptAs === undefined ? t('settings.problem.willKeep') : t('settings.problem.keptAs', { file: problem.keptAs })}</p>
    </div>
  );
}

/** Everything the operator may set: where modules come from and go, who is trusted, this machine's key, language and theme. */
export function SettingsScreen() {
  const { t } = useI18n();
  const { answer, loadError, choiceError, load } = useSettingsStore();
  const { loadError: keysError, load: loadKeys } = useKeysStore();
  const { choice: theme, choose: chooseTheme } = useThemeStore();
  useEffect(() => {
    void load();
    void loadKeys();
  }, [load, loadKeys]);
  return (
    <section aria-labelledby="settings-title" className="screen settings">
      <h2 id="settings-title">{t('screen.settings')}</h2>
      {answer?.problem && <ProblemNotice problem={answer.problem} />}
      {loadError !== undefined && <ErrorView error={loadError} onRetry={() => void load()} />}
      <p className="hint">{answer === undefined ? t('settings.savedHint') : t('settings.savedIn', { file: answer.file })}</p>

      <section aria-labelledby="settings-online" className="settings-section">
        <h3 id="settings-online">{t('settings.section.online')}</h3>
        <UpstreamSetting />
        <ToolchainPlatformsSetting />
      </section>

      <section aria-labelledby="settings-offline" className="settings-section">
        <h3 id="settings-offline">{t('settings.section.offline')}</h3>
        <StoreDirSetting />
        <ListenSetting />
      </section>

      <section aria-labelledby="settings-keys" className="settings-section">
        <h3 id="settings-keys">{t('settings.section.keys')}</h3>
        {keysError !== undefined && <ErrorView error={keysError} onRetry={() => void loadKeys()} />}
        <TrustedKeys />
        <OwnKey />
      </section>

      <section aria-labelledby="settings-look" className="settings-section">
        <h3 id="settings-look">{t('settings.section.look')}</h3>
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
        {choiceError !== undefined && <ErrorView error={choiceError} />}
      </section>
    </section>
  );
}
