import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseLanguage, isLanguage } from '../../renderer/src/i18n/language';

test('any Chinese preference gets Simplified Chinese; English and everything else English', () => {
  for (const tag of ['zh', 'zh-CN', 'zh-Hans', 'zh-Hans-CN', 'zh-TW', 'zh_CN', 'ZH-cn']) assert.equal(chooseLanguage([tag]), 'zh-CN', tag);
  for (const tag of ['en', 'en-US', 'en-GB', 'fr-FR', 'de', 'ja-JP']) assert.equal(chooseLanguage([tag]), 'en', tag);
  assert.equal(chooseLanguage([]), 'en');
});

test('the first preference the app speaks wins', () => {
  assert.equal(chooseLanguage(['en-US', 'zh-CN']), 'en');
  assert.equal(chooseLanguage(['zh-CN', 'en-US']), 'zh-CN');
  assert.equal(chooseLanguage(['fr-FR', 'zh-CN', 'en']), 'zh-CN');
  assert.equal(chooseLanguage(['fr-FR', 'de-DE']), 'en');
});

test('only the app\'s languages are languages', () => {
  assert.equal(isLanguage('en'), true);
  assert.equal(isLanguage('zh-CN'), true);
  assert.equal(isLanguage('zh'), false);
  assert.equal(isLanguage(undefined), false);
});
