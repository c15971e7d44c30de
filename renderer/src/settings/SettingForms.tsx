import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { platformProblem } from '../../../shared/gomod/goPlatforms';
import { listensBeyondLoopback } from '../../../shared/settings/appSettings';
import { useI18n } from '../i18n/useI18n';
import { IpcError } from '../../../shared/ipc/ipcError';
import { ERROR_PROBLEM_KEYS } from '../errors/errorText';
import type { Translate } from '../i18n/catalog';
import { fieldProblemWords } from './settingsProblemWords';
import { useSettingsStore, type EditedSetting, type Refusal } from './settingsStore';
import { upstreamProblemWords } from './upstreamProblemWords';

/** A draft that starts from the saved value and starts over whenever a save changes it. */
function useDraft(saved: string): [string, (value: string) => void] {
  const [draft, setDraft] = useState(saved);
  useEffect(() => setDraft(saved), [saved]);
  return [draft, setDraft];
}

/** Below a setting: why the app refused it, right by the input, or that it was saved. */
function SettingStatus({ field, id }: { field: EditedSetting; id: string }) {
  const { t } = useI18n();
  const { refused, saved } = useSettingsStore();
  const refusal = refused[field];
  if (refusal !== undefined) {
    return (
      <p id={id} className="field-error" role="alert" data-testid={`${field}-refused`} title={refusal.reason}>
        {t('settings.refused', { reason: refusalWords(refusal, t) })}
      </p>
    );
  }
  return (
    <p id={id} className="field-saved" role="status" data-testid={`${field}-status`}>
      {saved === field ? t('settings.saved') : ''}
    </p>
  );
}

/** Why a value was refused, in the operator's language: the upstream list's code, the schema's, the app's problem code, else the app's own words. */
function refusalWords(refusal: Refusal, t: Translate): string {
  if (refusal.upstream !== undefined) return upstreamProblemWords(refusal.upstream, t);
  if (refusal.coded !== undefined) return fieldProblemWords(refusal.coded.field, refusal.coded.problem, t);
  const problem = refusal.error instanceof IpcError ? refusal.error.problem : undefined;
  return problem === undefined ? refusal.reason : t(ERROR_PROBLEM_KEYS[problem]);
}

function SettingForm({ field, legend, onSubmit, children }: { field: EditedSetting; legend: string; onSubmit(): void; children: ReactNode }) {
  const { t } = useI18n();
  const saving = useSettingsStore((state) => state.saving === field);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form className="setting" onSubmit={submit} data-testid={`setting-${field}`}>
      <fieldset className="field">
        <legend>{legend}</legend>
        {children}
        <button type="submit" disabled={saving}>{t('settings.save')}</button>
      </fieldset>
    </form>
  );
}

/** The GOPROXY list exports download from; empty: GOPROXY from this computer's environment. */
export function UpstreamSetting() {
  const { t } = useI18n();
  const { answer, defaults, refused, save } = useSettingsStore();
  const [draft, setDraft] = useDraft(answer?.settings.upstream ?? '');
  const id = useId();
  const fallback = defaults === undefined ? undefined : (defaults.upstream ?? null);
  return (
    <SettingForm field="upstream" legend={t('settings.upstream')} onSubmit={() => void save('upstream', draft.trim() === '' ? null : draft.trim())}>
      <label htmlFor={`${id}-input`}>{t('settings.upstream.label')}</label>
      <input
        id={`${id}-input`}
        className="wide"
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
        placeholder={fallback ?? undefined}
        spellCheck={false}
        aria-invalid={refused.upstream !== undefined}
        aria-describedby={`${id}-hint ${id}-status`}
        data-testid="upstream-input"
      />
      <p id={`${id}-hint`} className="hint">
        {t('settings.upstream.hint')}{' '}
        {fallback === undefined ? '' : fallback === null ? t('settings.upstream.noEnvironment') : t('settings.upstream.environment', { upstream: fallback })}
      </p>
      <SettingStatus field="upstream" id={`${id}-status`} />
    </SettingForm>
  );
}

/** Where imports go and serve reads from; empty: the store in the data folder. */
export function StoreDirSetting() {
  const { t } = useI18n();
  const { answer, defaults, refused, save } = useSettingsStore();
  const [draft, setDraft] = useDraft(answer?.settings.storeDir ?? '');
  const id = useId();
  return (
    <SettingForm field="storeDir" legend={t('settings.storeDir')} onSubmit={() => void save('storeDir', draft.trim() === '' ? null : draft.trim())}>
      <label htmlFor={`${id}-input`}>{t('settings.storeDir.label')}</label>
      <input
        id={`${id}-input`}
        className="wide"
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
        placeholder={defaults?.storeDir}
        spellCheck={false}
        aria-invalid={refused.storeDir !== undefined}
        aria-describedby={`${id}-hint ${id}-status`}
        data-testid="storeDir-input"
      />
      <p id={`${id}-hint`} className="hint">{defaults === undefined ? '' : t('settings.storeDir.hint', { dir: defaults.storeDir })}</p>
      <SettingStatus field="storeDir" id={`${id}-status`} />
    </SettingForm>
  );
}

/** Where the offline proxy listens; an address other machines reach is warned about before and after saving. */
export function ListenSetting() {
  const { t } = useI18n();
  const { answer, refused, save } = useSettingsStore();
  const saved = answer?.settings.serveListen;
  const [host, setHost] = useDraft(saved?.host ?? '');
  const [port, setPort] = useDraft(saved === undefined ? '' : String(saved.port));
  const id = useId();
  const edited = saved === undefined || host !== saved.host || port !== String(saved.port);
  const beyond = edited ? host.trim() !== '' && listensBeyondLoopback(host.trim()) : answer?.listensBeyondLoopback === true;
  const submit = (): void => {
    // A port that is not a whole number is sent as such, for the app's own check to refuse and name.
    void save('serveListen', { host: host.trim(), port: /^\d+$/.test(port.trim()) ? Number(port.trim()) : Number.NaN });
  };
  return (
    <SettingForm field="serveListen" legend={t('settings.listen')} onSubmit={submit}>
      <div className="listen-inputs">
        <span className="field">
          <label htmlFor={`${id}-host`}>{t('settings.listen.host')}</label>
          <input
            id={`${id}-host`}
            value={host}
            onChange={(event) => setHost(event.target.value)}
            spellCheck={false}
            aria-invalid={refused.serveListen !== undefined}
            aria-describedby={`${id}-hint ${id}-warning ${id}-status`}
            data-testid="listen-host"
          />
        </span>
        <span className="field">
          <label htmlFor={`${id}-port`}>{t('settings.listen.port')}</label>
          <input
            id={`${id}-port`}
            className="port"
            inputMode="numeric"
            value={port}
            onChange={(event) => setPort(event.target.value)}
            aria-invalid={refused.serveListen !== undefined}
            aria-describedby={`${id}-hint ${id}-status`}
            data-testid="listen-port"
          />
        </span>
      </div>
      <p id={`${id}-hint`} className="hint">{t('settings.listen.hint')}</p>
      <p id={`${id}-warning`} className="warning" data-testid="listen-warning">
        {beyond ? t('settings.listen.beyondLoopback', { host: host.trim() }) : ''}
      </p>
      <SettingStatus field="serveListen" id={`${id}-status`} />
    </SettingForm>
  );
}


/** The entries of a comma-separated platform list, blanks dropped. */
function platformEntries(text: string): string[] {
  return text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
}

/** The goos/goarch pairs an export carries Go toolchains for; empty: this computer's own. Checked as typed, each bad entry named. */
export function ToolchainPlatformsSetting() {
  const { t } = useI18n();
  const { answer, defaults, refused, save } = useSettingsStore();
  const [draft, setDraft] = useDraft(answer?.settings.toolchainPlatforms?.join(', ') ?? '');
  const id = useId();
  const entries = platformEntries(draft);
  const bad = entries.filter((entry) => platformProblem(entry) !== undefined);
  const submit = (): void => {
    if (bad.length === 0) void save('toolchainPlatforms', entries.length === 0 ? null : [...new Set(entries)]);
  };
  return (
    <SettingForm field="toolchainPlatforms" legend={t('settings.toolchainPlatforms')} onSubmit={submit}>
      <label htmlFor={`${id}-input`}>{t('settings.toolchainPlatforms.label')}</label>
      <input
        id={`${id}-input`}
        className="wide"
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
        placeholder={defaults?.toolchainPlatform}
        spellCheck={false}
        aria-invalid={bad.length > 0 || refused.toolchainPlatforms !== undefined}
        aria-describedby={`${id}-hint ${id}-problems ${id}-status`}
        data-testid="toolchainPlatforms-input"
      />
      <p id={`${id}-hint`} className="hint">{defaults === undefined ? '' : t('settings.toolchainPlatforms.hint', { platform: defaults.toolchainPlatform })}</p>
      <ul id={`${id}-problems`} className="field-error plain-list" data-testid="toolchainPlatforms-problems">
        {bad.map((entry) => (
          <li key={entry} title={platformProblem(entry)}>{t('settings.toolchainPlatforms.problem', { platform: entry })}</li>
        ))}
      </ul>
      <SettingStatus field="toolchainPlatforms" id={`${id}-status`} />
    </SettingForm>
  );
}
