import { useId } from 'react';
import { LANGUAGES } from './language';
import { useLanguageStore, type LanguageChoice } from './languageStore';
import { useI18n } from './useI18n';

/** The language picker: each language named in itself, so a reader lost in the wrong one finds theirs. */
export function LanguageSelect({ label, className }: { label: string; className?: string }) {
  const { t } = useI18n();
  const { choice, system, choose } = useLanguageStore();
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={choice} onChange={(event) => choose(event.target.value as LanguageChoice)}>
        <option value="system">{t('settings.language.system', { language: t(`language.${system}`) })}</option>
        {LANGUAGES.map((language) => (
          <option key={language} value={language} lang={language}>
            {t(`language.${language}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
