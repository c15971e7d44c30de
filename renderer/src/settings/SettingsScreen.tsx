import { useEffect } from 'react';
import type { SettingsProblem } from '../../../shared/settings/appSettings';
import { ErrorView } from '../ErrorView';
import { LanguageSelect } from '../i18n/LanguageSelect';
import type { Translate } from '../i18n/catalog';
import { useI18n } from '../i18n/useI18n';
import { fieldProblemWords } from './settingsProblemWords';
import { THEME_CHOICES, useThemeStore } from '../theme/themeStore';
import { useKeysStore } from './keysStore';
import { OwnKey } from './OwnKey';
import { ListenSetting, StoreDirSetting, ToolchainPlatformsSetting, UpstreamSetting } from './SettingForms';
import { useSettingsStore } from './settingsStore';
import { TrustedKeys } from './TrustedKeys';

/** What is wrong with the settings file, in the operator's language; the rule's English words are the tooltip. */
function problemWords(problem: SettingsProblem, t: Translate): string {
  const { coded } = problem;
  switch (coded.code) {
    case 'unreadable':
      return t('settings.problem.unreadable');
    case 'not-json':
      return t('settings.problem.not-json');
    case 'unknown-fields':
      return t('settings.problem.unknown-fields', { keys: coded.keys.join(', ') });
    default:
      return problem.field === undefined ? t('settings.problem.not-settings') : fieldProblemWords(problem.field, coded, t);
  }
}

/** A settings file that could not be used: said calmly, as the defaults are in use and the file is kept. */
function ProblemNotice({ problem }: { problem: SettingsProblem }) {
  const { t } = useI18n();
  return (
    <div role="status" className="notice" data-testid="settings-problem" data-code={problem.coded.code}>
      <p title={problem.field === undefined ? problem.reason : `${problem.field}: ${problem.reason}`}>{t('settings.problem', { file: problem.file, what: problemWords(problem, t) })}</p>
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
