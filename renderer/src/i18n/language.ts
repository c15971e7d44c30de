/** The languages the app speaks, as BCP 47 tags that Intl and the html lang attribute take as they are. */
export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(value: unknown): value is Language {
  return (LANGUAGES as readonly unknown[]).includes(value);
}

/**
 * The language to speak to someone whose browser or system prefers `preferred` (navigator.languages,
 * most wanted first): the first of them the app speaks, any Chinese (zh, zh-CN, zh-Hans, zh-TW…) as
 * Simplified Chinese, and English when none is spoken. A French speaker who also reads Chinese gets
 * Chinese rather than English, as they asked.
 */
export function chooseLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
    if (primary === 'zh') return 'zh-CN';
    if (primary === 'en') return 'en';
  }
  return 'en';
}
