import type { SettingsProblemCode } from '../../../shared/settings/appSettings';
import type { Translate } from '../i18n/catalog';

/**
 * What is wrong with a setting's value, in the operator's language; `field` is its dotted name as the
 * settings file spells it. A field's own rule (a format) is worded for that field.
 */
export function fieldProblemWords(field: string, coded: SettingsProblemCode, t: Translate): string {
  switch (coded.code) {
    case 'wrong-type':
      return t('settings.problem.wrong-type', { field, expected: coded.expected });
    case 'too-small':
      return t('settings.problem.too-small', { field, minimum: String(coded.minimum) });
    case 'too-large':
      return t('settings.problem.too-large', { field, maximum: String(coded.maximum) });
    case 'empty':
      return t('settings.problem.empty', { field });
    case 'not-one-of':
      return t('settings.problem.not-one-of', { field, values: coded.values.join(', ') });
    case 'unknown-fields':
      return t('settings.problem.unknown-fields', { keys: coded.keys.join(', ') });
    default:
      if (field === 'storeDir') return t('settings.value.absolute');
      if (field === 'serveListen.host') return t('settings.value.host');
      return t('settings.problem.invalid', { field });
  }
}
