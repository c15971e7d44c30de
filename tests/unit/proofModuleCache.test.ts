import assert from 'node:assert/strict';
import { statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { proofModuleCacheFolder } from '../../electron/core/export/proofModuleCache';
import { removeTree } from '../../electron/core/fsutil/removeTree';

const TMPFS_MAGIC = 0x01021994;

describe('the module cache folder of the go proof', () => {
  test('is in the temporary folder when there is no RAM disk', async (t) => {
    const folder = await proofModuleCacheFolder(1024, path.join(os.tmpdir(), 'no-such-ram-disk'));
    t.after(() => removeTree(folder));
    assert.equal(path.dirname(folder), os.tmpdir());
    assert.match(path.basename(folder), /^modferry-modcache-/);
  });

  test('is in the temporary folder when the extracted modules would not fit in free memory', async (t) => {
    const folder = await proofModuleCacheFolder(os.totalmem(), '/dev/shm');
    t.after(() => removeTree(folder));
    assert.equal(path.dirname(folder), os.tmpdir());
  });

  test('is on the RAM disk when it is one and has room', async (t) => {
    const folder = await proofModuleCacheFolder(1024, '/dev/shm');
    t.after(() => removeTree(folder));
    const ramDisk = await statfs('/dev/shm').catch(() => undefined);
    assert.equal(path.dirname(folder), ramDisk?.type === TMPFS_MAGIC ? '/dev/shm' : os.tmpdir());
  });
});
