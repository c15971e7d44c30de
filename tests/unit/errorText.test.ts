import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ERROR_KINDS, ERROR_PROBLEMS } from '../../shared/errorRecord';
import { IpcError } from '../../shared/ipc/ipcError';
import { catalogs, translator } from '../../renderer/src/i18n/catalog';
import { LANGUAGES } from '../../renderer/src/i18n/language';
import { ERROR_MESSAGE_KEYS, ERROR_PROBLEM_KEYS, errorText } from '../../renderer/src/errors/errorText';

describe('errors in the operator\'s language', () => {
  for (const language of LANGUAGES) {
    test(`${language}: every error kind has its own message`, () => {
      const t = translator(language);
      const table: Readonly<Record<string, string | undefined>> = ERROR_MESSAGE_KEYS;
      const seen = new Map<string, string>();
      for (const kind of ERROR_KINDS) {
        const key = table[kind];
        assert.ok(key !== undefined, `${kind} has no message`);
        assert.ok(key in catalogs[language], `${language}: ${kind}'s message ${key} is not in the catalog`);
        const shown = errorText(new IpcError({ kind, message: `core says ${kind}` }), t);
        assert.equal(shown.kind, kind);
        assert.notEqual(shown.summary.trim(), '', `${language}: ${kind} is empty`);
        assert.ok(!seen.has(shown.summary), `${language}: ${kind} says the same as ${seen.get(shown.summary)}`);
        seen.set(shown.summary, kind);
        assert.equal(shown.detail, `core says ${kind}`);
      }
      assert.deepEqual(Object.keys(ERROR_MESSAGE_KEYS).sort(), [...ERROR_KINDS].sort(), 'no message for a kind that does not exist');
    });
  }

  test('a problem the core gives as a code is worded in each language; an unknown code is left out', () => {
    for (const language of LANGUAGES) {
      const t = translator(language);
      const seen = new Set<string>();
      for (const problem of ERROR_PROBLEMS) {
        const shown = errorText(new IpcError({ kind: 'bundle', message: 'core words', problem }), t);
        assert.ok(shown.problem !== undefined && shown.problem.trim() !== '', `${language}: ${problem}`);
        assert.ok(!seen.has(shown.problem), `${language}: ${problem} says what another problem says`);
        seen.add(shown.problem);
      }
      assert.equal(errorText(new IpcError({ kind: 'bundle', message: 'core words', problem: 'from-a-newer-core' }), t).problem, undefined);
    }
    assert.deepEqual(Object.keys(ERROR_PROBLEM_KEYS).sort(), [...ERROR_PROBLEMS].sort());
    assert.equal(errorText(new IpcError({ kind: 'bundle', message: 'x', problem: 'content-changed' }), translator('zh-CN')).problem, '内容与模块包签名时不一致：写入后被修改或已损坏。');
  });

  test('the fields are labelled values: module@version, file:line, volume, entry, drive, url, fingerprint', () => {
    const t = translator('zh-CN');
    const error = new IpcError({
      kind: 'bundle',
      message: 'manifest.json: volume 2: bad',
      module: 'example.com/a',
      version: 'v1.2.3',
      file: '/media/usb/go.mod',
      line: 7,
      volume: 'mf-x-002-of-003.tar',
      entry: 'example.com/a/@v/v1.2.3.zip',
      drive: '/media/usb',
      url: 'https://proxy.example/a',
      fingerprint: 'SHA256:abc',
    });
    const shown = errorText(error, t);
    assert.equal(shown.summary, t('errors.kind.bundle'));
    assert.deepEqual(shown.places.map(({ label, value }) => [label, value]), [
      ['模块', 'example.com/a@v1.2.3'],
      ['文件', '/media/usb/go.mod:7'],
      ['分卷', 'mf-x-002-of-003.tar'],
      ['条目', 'example.com/a/@v/v1.2.3.zip'],
      ['设备', '/media/usb'],
      ['网址', 'https://proxy.example/a'],
      ['密钥指纹', 'SHA256:abc'],
    ]);
    assert.equal(shown.detail, 'manifest.json: volume 2: bad');
    assert.equal(shown.retryable, false);
  });

  test('a module without a version and a file without a line are shown as they are; retryable is carried', () => {
    const shown = errorText(new IpcError({ kind: 'destination', message: 'the drive is full', module: 'example.com/b', file: '/tmp/x', drive: '/media/usb', retryable: true }), translator('en'));
    assert.deepEqual(shown.places.map(({ place, value }) => [place, value]), [['module', 'example.com/b'], ['file', '/tmp/x'], ['drive', '/media/usb']]);
    assert.equal(shown.summary, 'The bundle cannot be written there.');
    assert.equal(shown.retryable, true);
  });

  test('a kind the renderer does not know, or a thrown value that is no IpcError, is an internal fault with its message kept', () => {
    const t = translator('en');
    assert.equal(errorText(new IpcError({ kind: 'martian', message: 'odd' }), t).kind, 'internal');
    const plain = errorText(new Error('socket closed'), t);
    assert.equal(plain.kind, 'internal');
    assert.equal(plain.summary, 'Something went wrong inside the app.');
    assert.equal(plain.detail, 'socket closed');
    assert.deepEqual(plain.places, []);
  });
});
