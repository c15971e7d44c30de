import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { removeAbandonedBundles } from '../../electron/core/export/abandonedBundles';
import { thisWriter, WRITER_MARKER_FILE, writerGone } from '../../electron/core/bundle/writerMarker';
import { makeTempDir } from '../support/bundleSources';

let root: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir: root, cleanup } = await makeTempDir('abandoned')));
after(() => cleanup());

async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(root, 'drive', name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text);
  return dir;
}

test('only our debris whose writer is provably gone is removed, and never a file that is not ours', async () => {
  const deadPid = 2 ** 22 + 12345;
  const marker = (id: string, extra: object = {}) => JSON.stringify({ ...thisWriter(id), ...extra });
  const dead = await folder('mf-20261203-0000000a', { [WRITER_MARKER_FILE]: marker('mf-20261203-0000000a', { pid: deadPid }), 'mf-20261203-0000000a-001-of-002.tar': 'x', 'mf-20261203-0000000a-002-of-002.tar.partial': 'y', 'signer.pub.pem': 'k' });
  const rebooted = await folder('mf-20261203-0000000b', { [WRITER_MARKER_FILE]: marker('mf-20261203-0000000b', { boot: 'another-boot' }), 'notes.txt': 'mine' });
  const running = await folder('mf-20261203-0000000c', { [WRITER_MARKER_FILE]: marker('mf-20261203-0000000c'), 'mf-20261203-0000000c-001-of-001.tar.partial': 'z' });
  const elsewhere = await folder('mf-20261203-0000000d', { [WRITER_MARKER_FILE]: marker('mf-20261203-0000000d', { host: 'other-machine', pid: deadPid }) });
  const finished = await folder('mf-20261203-0000000e', { [WRITER_MARKER_FILE]: marker('mf-20261203-0000000e', { pid: deadPid }), 'manifest.json': '{}' });
  const unmarked = await folder('mf-20261203-0000000f', { 'mf-20261203-0000000f-001-of-001.tar.partial': 'z' });
  const notBundle = await folder('photos', { [WRITER_MARKER_FILE]: marker('photos', { pid: deadPid }) });

  const removed = await removeAbandonedBundles(path.join(root, 'drive'));
  assert.deepEqual(removed.map((r) => [path.basename(r.dir), r.writer, r.kept]).sort(), [
    ['mf-20261203-0000000a', { pid: deadPid, host: thisWriter('x').host, gone: 'exited' }, []],
    ['mf-20261203-0000000b', { pid: process.pid, host: thisWriter('x').host, gone: 'restarted' }, ['notes.txt']],
  ]);
  assert.ok(!existsSync(dead));
  assert.deepEqual(readdirSync(rebooted), ['notes.txt'], 'a file that is not ours stays, and so does its folder');
  for (const dir of [running, elsewhere, finished, unmarked, notBundle]) assert.ok(existsSync(path.join(dir, readdirSync(dir)[0]!)), `${dir} is untouched`);
  assert.equal(readdirSync(running).length, 2);
});

test('a writer on another machine is never taken for gone', () => {
  const marker = { ...thisWriter('mf-20261203-00000001'), host: 'laptop' };
  assert.equal(writerGone(marker, { host: 'desktop', boot: 'b', isRunning: () => false }), undefined);
  assert.equal(writerGone({ ...marker, host: 'desktop', boot: 'b' }, { host: 'desktop', boot: 'b', isRunning: () => true }), undefined);
});
