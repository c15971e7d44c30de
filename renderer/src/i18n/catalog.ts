import type { Language } from './language';
import { en } from './messages/en';
import { zhCN } from './messages/zhCN';

/** A message that counts something: the form for each plural category the language has (`other` always). */
export interface PluralText {
  readonly zero?: string;
  readonly one?: string;
  readonly two?: string;
  readonly few?: string;
  readonly many?: string;
  readonly other: string;
}
export type MessageText = string | PluralText;
export type MessageKey = keyof typeof en;
export type Catalog = { readonly [K in MessageKey]: MessageText };

export const catalogs: Readonly<Record<Language, Catalog>> = { en, 'zh-CN': zhCN };

type Placeholders<S> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;
type TextsOf<M> = M extends string ? M : M[keyof M];
/** The names a message's English text leaves open, plus `count` for a message that counts. */
export type MessageParams<K extends MessageKey> = Placeholders<TextsOf<(typeof en)[K]>> | ((typeof en)[K] extends string ? never : 'count');
/** What a message takes after its key: nothing, or a value for every placeholder (a compile error when one is missing). */
export type MessageArgs<K extends MessageKey> = [MessageParams<K>] extends [never] ? [] : [params: Record<MessageParams<K>, string | number>];
export type Translate = <K extends MessageKey>(key: K, ...args: MessageArgs<K>) => string;

/** The {names} in a text, for the test that holds the languages to the same placeholders. */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
}

/** The translator for one language: numbers in placeholders are written as that language writes them. */
export function translator(language: Language): Translate {
  const catalog = catalogs[language];
  const plurals = new Intl.PluralRules(language);
  const numbers = new Intl.NumberFormat(language);
  return (key, ...args) => {
    const params: Readonly<Record<string, string | number>> = args[0] ?? {};
    const message = catalog[key];
    const text = typeof message === 'string' ? message : (message[plurals.select(Number(params.count))] ?? message.other);
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = params[name];
      if (value === undefined) return whole;
      return typeof value === 'number' ? numbers.format(value) : value;
    });
  };
}
