import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DEFAULT_SETTINGS, listensBeyondLoopback } from '../../shared/settings/appSettings';
import { upstreamProblem } from '../../shared/goproxy/upstreamSetting';
import { readSettings, settingsFile, updateSettings } from '../../electron/core/settings/settingsFile';
import { ModFerryError } from '../../electron/core/errors/modferryError';
import { makeTempDir } from '../support/bundleSources';

async function dataDir(t: { after: (fn: () => Promise<void>) => void }): Promise<{ data: string; cache: string }> {
  const { dir, cleanup } = await makeTempDir('settings');
  t.after(cleanup);
  return { data: path.join(dir, 'data'), cache: path.join(dir, 'cache') };
}

describe('the settings file', () => {
  test('defaults without a file (none is written); a change writes only what changed over the rest, and reads back', async (t) => {
    const dirs = await dataDir(t);
    assert.deepEqual(await readSettings(dirs), { file: path.join(dirs.data, 'settings.json'), settings: DEFAULT_SETTINGS });
    await readdir(dirs.data).then(() => assert.fail('reading made the data folder'), () => undefined);

    const saved = await updateSettings(dirs, { side: 'offline', storeDir: '/srv/store', serveListen: { host: '192.168.1.20', port: 3001 } });
    assert.deepEqual(saved.settings, { ...DEFAULT_SETTINGS, side: 'offline', storeDir: '/srv/store', serveListen: { host: '192.168.1.20', port: 3001 } });
    assert.equal(saved.problem, undefined);
    const again = await updateSettings(dirs, { theme: 'dark', storeDir: null });
    assert.deepEqual(again.settings, { ...DEFAULT_SETTINGS, side: 'offline', theme: 'dark', serveListen: { host: '192.168.1.20', port: 3001 } });
    assert.deepEqual((await readSettings(dirs)).settings, again.settings);
    assert.deepEqual(JSON.parse(await readFile(settingsFile(dirs), 'utf8')), again.settings);
    assert.deepEqual(await readdir(dirs.data), ['settings.json'], 'no temporary file is left beside it');
    if (process.platform !== 'win32') assert.equal((await stat(settingsFile(dirs))).mode & 0o777, 0o600, 'an upstream may carry a password');
  });

  test('changes made at the same time are all kept', async (t) => {
    const dirs = await dataDir(t);
    await Promise.all([updateSettings(dirs, { side: 'online' }), updateSettings(dirs, { language: 'zh-CN' }), updateSettings(dirs, { theme: 'light' })]);
    const { settings } = await readSettings(dirs);
    assert.deepEqual([settings.side, settings.language, settings.theme], ['online', 'zh-CN', 'light']);
  });

  test('a read asked for while a change is being written answers with the change (a page reloaded just after a choice)', async (t) => {
    const dirs = await dataDir(t);
    await updateSettings(dirs, { side: 'online' });
    const saving = updateSettings(dirs, { side: 'offline', theme: 'dark' });
    const read = await readSettings(dirs);
    assert.deepEqual([read.settings.side, read.settings.theme], ['offline', 'dark']);
    await saving;
  });

  test('a bad change is refused naming the field, and nothing is written', async (t) => {
    const dirs = await dataDir(t);
    await updateSettings(dirs, { upstream: 'https://proxy.example.com' });
    const before = await readFile(settingsFile(dirs), 'utf8');
    await assert.rejects(updateSettings(dirs, { upstream: 'off' }), (error: unknown) => error instanceof ModFerryError && error.kind === 'input' && /^setting upstream: starts with off/.test(error.message));
    await assert.rejects(updateSettings(dirs, { serveListen: { host: '127.0.0.1', port: -1 } }), { message: 'setting serveListen.port: must be 0 to 65535' });
    assert.equal(await readFile(settingsFile(dirs), 'utf8'), before);
  });

  test('a store folder holding other files, or a file, is refused when chosen; a new, empty or store folder is taken', async (t) => {
    const dirs = await dataDir(t);
    const parent = path.dirname(dirs.data);
    const other = path.join(parent, 'photos');
    await mkdir(other);
    await writeFile(path.join(other, 'cat.jpg'), 'jpeg');
    await assert.rejects(updateSettings(dirs, { storeDir: other }), (error: unknown) =>
      error instanceof ModFerryError && error.kind === 'store' && error.fields.file === other &&
      error.message === `setting storeDir: ${other} holds other files and is not a ModFerry store; choose a store, or a new or empty folder for a new one`);
    await assert.rejects(updateSettings(dirs, { storeDir: path.join(other, 'cat.jpg') }), { message: `setting storeDir: ${path.join(other, 'cat.jpg')} is a file, not a folder` });
    assert.equal((await readSettings(dirs)).settings.storeDir, null, 'nothing was saved');
    const empty = path.join(parent, 'empty');
    await mkdir(empty);
    assert.equal((await updateSettings(dirs, { storeDir: empty })).settings.storeDir, empty);
    assert.equal((await updateSettings(dirs, { storeDir: path.join(parent, 'not-yet') })).settings.storeDir, path.join(parent, 'not-yet'));
  });

  test('a hand-edited field: the defaults stand in, the problem names the file and field; the next change keeps the file aside', async (t) => {
    const dirs = await dataDir(t);
    await mkdir(dirs.data, { recursive: true });
    const edited = '{\n  "side": "online",\n  "serveListen": { "host": "127.0.0.1", "port": "3000" }\n}\n';
    await writeFile(settingsFile(dirs), edited);
    const read = await readSettings(dirs);
    assert.deepEqual(read.settings, DEFAULT_SETTINGS);
    assert.deepEqual(read.problem, { file: settingsFile(dirs), field: 'serveListen.port', reason: 'Invalid input: expected number, received string', coded: { code: 'wrong-type', expected: 'number' } });
    assert.equal(await readFile(settingsFile(dirs), 'utf8'), edited, 'reading changes nothing');

    const saved = await updateSettings(dirs, { language: 'en' });
    assert.deepEqual(saved.settings, { ...DEFAULT_SETTINGS, language: 'en' });
    const keptAs = saved.problem?.keptAs ?? assert.fail('the file was not kept aside');
    assert.equal(path.dirname(keptAs), dirs.data);
    assert.match(path.basename(keptAs), /^settings\.json\.invalid-\d{4}-\d\d-\d\dT[\d-]+Z$/);
    assert.equal(await readFile(keptAs, 'utf8'), edited, 'what the operator wrote is kept');
    assert.equal((await readSettings(dirs)).problem, undefined);
  });

  test('a file that is not JSON, or names an unknown field, is reported the same way', async (t) => {
    const dirs = await dataDir(t);
    await mkdir(dirs.data, { recursive: true });
    await writeFile(settingsFile(dirs), '{"side": "online",');
    const broken = await readSettings(dirs);
    assert.equal(broken.problem?.file, settingsFile(dirs));
    assert.equal(broken.problem?.field, undefined);
    assert.match(broken.problem?.reason ?? '', /^is not JSON \(/);
    await writeFile(settingsFile(dirs), '{"theem": "dark"}');
    assert.deepEqual((await readSettings(dirs)).problem, { file: settingsFile(dirs), reason: 'Unrecognized key: "theem"', coded: { code: 'unknown-fields', keys: ['theem'] } });
    await writeFile(settingsFile(dirs), '{"theme": "dark"}');
    assert.deepEqual(await readSettings(dirs), { file: settingsFile(dirs), settings: { ...DEFAULT_SETTINGS, theme: 'dark' } }, 'fields left out take their defaults');
  });
});

describe('settings rules', () => {
  test('an upstream follows GOPROXY syntax, with a proxy to ask before any off', () => {
    for (const good of ['https://proxy.example.com', 'https://a.example.com|https://b.example.com,direct', 'file:///srv/goproxy', 'proxy.example.com,off']) {
      assert.equal(upstreamProblem(good), undefined, good);
    }
    assert.match(upstreamProblem('direct') ?? '', /"direct" is not supported/);
    assert.match(upstreamProblem('off,https://proxy.example.com') ?? '', /^starts with off/);
    assert.match(upstreamProblem('/srv/goproxy') ?? '', /invalid proxy URL missing scheme \(write a directory as a file URL, e\.g\. file:\/\/\/srv\/goproxy\)/);
    assert.match(upstreamProblem('https://u:secret@proxy.example.com?x=1') ?? '', /^GOPROXY=https:\/\/u:xxxxx@proxy\.example\.com\?x=1: .*query/);
    assert.match(upstreamProblem(',') ?? '', /contains no entries/);
  });

  test('a listen address beyond loopback is flagged', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) assert.equal(listensBeyondLoopback(host), false, host);
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'proxy.lan']) assert.equal(listensBeyondLoopback(host), true, host);
  });
});
