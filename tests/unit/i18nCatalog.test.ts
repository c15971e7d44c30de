import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { catalogs, placeholdersOf, translator, type MessageText } from '../../renderer/src/i18n/catalog';
import { formatters } from '../../renderer/src/i18n/format';
import { LANGUAGES } from '../../renderer/src/i18n/language';

const reference = catalogs.en;
const keys = Object.keys(reference).sort();

function textsOf(message: MessageText): string[] {
  return typeof message === 'string' ? [message] : Object.values(message).filter((text): text is string => text !== undefined);
}

function placeholderSet(message: MessageText): string[] {
  return [...new Set(textsOf(message).flatMap(placeholdersOf))].sort();
}

describe('the message catalogs', () => {
  for (const language of LANGUAGES) {
    test(`${language} has every key, none empty, and no key English lacks`, () => {
      const catalog: Readonly<Record<string, MessageText | undefined>> = catalogs[language];
      assert.deepEqual(Object.keys(catalog).sort(), keys);
      for (const key of keys) {
        const message = catalog[key];
        assert.ok(message !== undefined, `${language}: ${key} is missing`);
        if (typeof message !== 'string') assert.ok(message.other !== undefined, `${language}: ${key} has no "other" form`);
        for (const text of textsOf(message)) assert.notEqual(text.trim(), '', `${language}: ${key} is empty`);
      }
    });

    test(`${language} leaves open the same placeholders as English, and counts where English counts`, () => {
      const catalog: Readonly<Record<string, MessageText | undefined>> = catalogs[language];
      for (const key of keys) {
        const message = catalog[key];
        assert.ok(message !== undefined, `${language}: ${key} is missing`);
        const english = reference[key as keyof typeof reference];
        assert.deepEqual(placeholderSet(message), placeholderSet(english), `${language}: ${key} placeholders`);
        assert.equal(typeof message, typeof english, `${language}: ${key} is a plural message in one language only`);
        if (typeof message !== 'string') {
          for (const text of textsOf(message)) assert.deepEqual([...new Set(placeholdersOf(text))].sort(), placeholderSet(message), `${language}: ${key}: each plural form fills every placeholder`);
        }
      }
    });
  }

  test('English gives a singular for every message that counts', () => {
    for (const [key, message] of Object.entries(reference)) {
      if (typeof message !== 'string') assert.ok('one' in message, `en: ${key} has no "one" form`);
    }
  });
});

describe('translating', () => {
  test('fills placeholders, choosing the plural form and writing numbers as the language does', () => {
    const en = translator('en');
    const zh = translator('zh-CN');
    assert.equal(en('app.version', { version: '1.2.3', platform: 'linux' }), 'Version 1.2.3 on linux');
    assert.equal(zh('app.version', { version: '1.2.3', platform: 'linux' }), '版本 1.2.3，运行于 linux');
    assert.equal(en('size.bytes', { count: 1 }), '1 byte');
    assert.equal(en('size.bytes', { count: 1000 }), '1,000 bytes');
    assert.equal(zh('size.bytes', { count: 1 }), '1 字节');
    assert.equal(en('screen.export'), 'Export');
    assert.equal(zh('screen.export'), '导出');
  });

  test('sizes in binary units, one decimal, for the locale', () => {
    const en = formatters('en', translator('en'));
    const zh = formatters('zh-CN', translator('zh-CN'));
    assert.equal(en.size(0), '0 bytes');
    assert.equal(en.size(1023), '1,023 bytes');
    assert.equal(zh.size(1023), '1,023 字节');
    assert.equal(en.size(1536), '1.5 KiB');
    assert.equal(en.size(1024 * 1024 - 20), '1.0 MiB');
    assert.equal(en.size(3.99 * 1024 ** 3), '4.0 GiB');
    assert.equal(en.size(5 * 1024 ** 6), '5,120.0 PiB');
    assert.equal(zh.size(1536), '1.5 KiB');
    assert.equal(en.rate(2.5 * 1024 * 1024), '2.5 MiB/s');
    assert.equal(zh.rate(2.5 * 1024 * 1024), '2.5 MiB/秒');
    assert.equal(en.number(1234567), '1,234,567');
  });

  test('time spans rounded up, in the language\'s units', () => {
    const en = formatters('en', translator('en'));
    const zh = formatters('zh-CN', translator('zh-CN'));
    assert.equal(en.duration(0.2), '1 second');
    assert.equal(en.duration(45), '45 seconds');
    assert.equal(en.duration(121), '3 minutes');
    assert.equal(en.duration(3600), '1 hour');
    assert.equal(en.duration(2 * 3600 + 4 * 60 + 1), '2 hours, 5 minutes');
    assert.equal(zh.duration(121), '3分钟');
    assert.equal(zh.duration(2 * 3600 + 4 * 60 + 1), '2小时5分钟');
  });

  test('dates as each language writes them', () => {
    // Noon UTC: the same calendar day in every time zone the test may run in.
    const moment = Date.UTC(2026, 5, 15, 12, 0, 0);
    assert.match(formatters('en', translator('en')).dateTime(moment), /^Jun 15, 2026, /);
    assert.match(formatters('zh-CN', translator('zh-CN')).dateTime(moment), /^2026年6月15日 /);
  });
});
