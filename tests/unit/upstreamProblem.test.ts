import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { upstreamProblem, upstreamProblemOf } from '../../shared/goproxy/upstreamSetting';
import { upstreamProblemWords } from '../../renderer/src/settings/upstreamProblemWords';
import { translator } from '../../renderer/src/i18n/catalog';

describe('what is wrong with an upstream GOPROXY list, as a code', () => {
  const cases: Array<[string, string, { position: number; text: string } | undefined]> = [
    ['', 'empty', undefined],
    ['off', 'starts-with-off', undefined],
    ['direct', 'direct-only', undefined],
    [',|,', 'no-entries', undefined],
    ['https://proxy.example, /srv/goproxy', 'path-not-url', { position: 2, text: '/srv/goproxy' }],
    ['ftp://mirror.example', 'bad-scheme', { position: 1, text: 'ftp://mirror.example' }],
    ['https://proxy.example/?x=1', 'query-or-fragment', { position: 1, text: 'https://proxy.example/?x=1' }],
    ['file://host/tree', 'file-url-not-path', { position: 1, text: 'file://host/tree' }],
  ];
  test('each refusal has its code and the entry at fault; the English is what the CLI says', () => {
    for (const [value, problem, entry] of cases) {
      const found = upstreamProblemOf(value);
      assert.ok(found !== undefined, value);
      assert.equal(found.problem, problem, value);
      assert.deepEqual(found.entry, entry, value);
      assert.equal(upstreamProblem(value), found.message);
    }
    assert.equal(upstreamProblemOf('https://proxy.example,direct'), undefined);
    assert.match(upstreamProblem('ftp://mirror.example') ?? '', /invalid proxy URL scheme \(must be https, http, file\)$/);
  });
  test('the settings screen words each in Chinese, naming the entry, with no placeholder left', () => {
    const zh = translator('zh-CN');
    for (const [value] of cases) {
      const words = upstreamProblemWords(upstreamProblemOf(value)!, zh);
      assert.doesNotMatch(words, /\{\w+\}|[a-z]{4,} [a-z]{4,} [a-z]{4,}/, words);
    }
    assert.equal(upstreamProblemWords(upstreamProblemOf('ftp://mirror.example')!, zh), '第 1 项（ftp://mirror.example）的协议无法使用：请使用 https、http 或 file。');
  });
});
