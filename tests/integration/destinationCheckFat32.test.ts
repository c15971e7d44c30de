/**
 * destination:check on a real FAT32 file system (mkfs.vfat, mounted with fusefat as drivesFat32 does):
 * the volume size follows FAT's 4 GiB limit, and a drive that does not tell its free space says so
 * rather than claiming the bundle fits.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { IpcChannel, IpcResponse } from '../../shared/ipc/contract';
import { createAppSession } from '../../electron/core/appApi/appSession';
import { FAT_MAX_FILE_BYTES } from '../../electron/core/drives/volumeSize';
import { publishFixtureModule, startFixtureUpstream } from '../support/fixtureUpstream';
import { mountFat32 } from '../support/fat32Drive';

// The CLI and the app read GOSUMDB, and unset means sum.golang.org: these tests ask no checksum database.
process.env.GOSUMDB = 'off';

describe('destination:check on FAT32', () => {
  test('the FAT volume size; free space and fit unknown where fusefat does not tell; a volume size FAT cannot hold is refused', async (t) => {
    const { dir, mount } = await mountFat32(t, 64);

    const tree = path.join(dir, 'upstream');
    await publishFixtureModule(tree, 'example.com/one', [{ version: 'v1.0.0' }]);
    const upstream = await startFixtureUpstream(tree);
    t.after(() => upstream.close());
    const session = createAppSession({ dirs: { data: path.join(dir, 'data'), cache: path.join(dir, 'cache') }, toolVersion: 'test' }, { send: () => undefined, onUnexpected: (error) => assert.fail(String(error)) });
    t.after(() => session.close());
    const ask = async <C extends IpcChannel>(channel: C, request: unknown, jobId?: string): Promise<IpcResponse<C>> => {
      const reply = await session.dispatch(channel, request, jobId);
      assert.ok(reply.ok, JSON.stringify(reply));
      return reply.value as IpcResponse<C>;
    };

    const plan = await ask('export:plan', { modules: ['example.com/one@v1.0.0'], upstream: upstream.url }, 'plan-fat32-01');
    const checked = await ask('destination:check', { dir: mount, planId: plan.id });
    assert.deepEqual(
      { ...checked, neededBytes: checked.neededBytes !== null && checked.neededBytes > 0, warning: checked.warning !== null },
      {
        dir: mount,
        drive: mount,
        fileSystem: 'fuse.fusefat',
        freeBytes: null,
        totalBytes: null,
        volumeSize: { bytes: FAT_MAX_FILE_BYTES, why: 'fuse.fusefat (FAT) holds no file of 4 GiB or more', maxBytes: FAT_MAX_FILE_BYTES, defaultBytes: FAT_MAX_FILE_BYTES },
        neededBytes: true,
        fits: null,
        // An image mounted with fusefat is on no listed removable drive.
        warning: true,
      },
    );
    const tooLarge = await session.dispatch('destination:check', { dir: mount, volumeSize: 5 * 1024 ** 3 });
    assert.ok(!tooLarge.ok);
    assert.equal(tooLarge.error.kind, 'input');
    assert.match(tooLarge.error.message, /does not fit on fuse\.fusefat: FAT holds no file larger than 4 GiB - 1 byte$/);
  });
});
