import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { driveOfFolder, isRemovableDrive, type ListedDrive } from '../../electron/core/drives/removableDrive';
import { removableDriveWarning } from '../../electron/core/drives/destination';
import { planWarningText } from '../../shared/export/planNotesText';
import type { PlanWarning } from '../../shared/export/planNotes';
import type { MountEntry } from '../../electron/core/drives/mountTable';

/** drivelist's answers as recorded on real machines (this test machine's is linux-vm). */
function recorded(name: string): ListedDrive[] {
  return JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'drives', `${name}.json`), 'utf8')) as ListedDrive[];
}

function verdict(folder: string, list: string, platform: NodeJS.Platform): string {
  const found = driveOfFolder(folder, recorded(list), platform);
  if (found === undefined) return 'no drive';
  return `${found.drive.device} at ${found.mountpoint}: ${isRemovableDrive(found.drive) ? 'removable' : 'fixed'}`;
}

describe('removable drives', () => {
  test('a USB stick counts; the system drive, a fixed data disk and a RAM disk reported removable do not', () => {
    const vm = recorded('linux-vm');
    assert.deepEqual(vm.map((d) => [d.device, isRemovableDrive(d)]), [['/dev/zram0', false], ['/dev/vda', false]]);
    assert.equal(verdict('/media/me/KINGSTON/bundles', 'linux-laptop-usb', 'linux'), '/dev/sdb at /media/me/KINGSTON: removable');
    assert.equal(verdict('/media/me/KINGSTON', 'linux-laptop-usb', 'linux'), '/dev/sdb at /media/me/KINGSTON: removable');
    // A USB SSD that says it is not removable is still carried across: isUSB decides.
    assert.equal(verdict('/media/me/T7', 'linux-laptop-usb', 'linux'), '/dev/sdc at /media/me/T7: removable');
    assert.equal(verdict('/media/data/out', 'linux-laptop-usb', 'linux'), '/dev/sda at /media/data: fixed');
    assert.equal(verdict('/media/me/KINGSTON2', 'linux-laptop-usb', 'linux'), '/dev/nvme0n1 at /: fixed', 'a longer name is not inside the mount point');
    assert.equal(verdict('/home/me/out', 'linux-laptop-usb', 'linux'), '/dev/nvme0n1 at /home: fixed');
    assert.equal(verdict('/tmp/out', 'linux-vm', 'linux'), '/dev/vda at /: fixed');
  });

  test('macOS volumes and Windows drive letters, compared as those systems compare paths', () => {
    assert.equal(verdict('/Volumes/UNTITLED/x', 'macos-usb', 'darwin'), '/dev/disk4 at /Volumes/UNTITLED: removable');
    assert.equal(verdict('/Users/me', 'macos-usb', 'darwin'), '/dev/disk3 at /: fixed');
    assert.equal(verdict('f:\\bundles', 'windows-usb', 'win32'), '\\\\.\\PHYSICALDRIVE1 at F:\\: removable');
    assert.equal(verdict('D:/bundles', 'windows-usb', 'win32'), '\\\\.\\PHYSICALDRIVE1 at D:\\: removable');
    assert.equal(verdict('C:\\Users\\me', 'windows-usb', 'win32'), '\\\\.\\PHYSICALDRIVE0 at C:\\: fixed');
    assert.equal(verdict('E:\\', 'windows-usb', 'win32'), '\\\\.\\PHYSICALDRIVE2 at E:\\: fixed', 'a mounted VHD is virtual');
    assert.equal(verdict('\\\\server\\share', 'windows-usb', 'win32'), 'no drive');
  });

  test('the warning names the folder and the drive, and says when the drives cannot be listed', async () => {
    const words = async (warning: Promise<PlanWarning | undefined>): Promise<string | undefined> => {
      const found = await warning;
      return found === undefined ? undefined : planWarningText(found);
    };
    const noMounts = async (): Promise<MountEntry[]> => [];
    assert.deepEqual(await removableDriveWarning('/tmp/out', async () => recorded('linux-vm'), noMounts), { kind: 'not-removable', folder: '/tmp/out', on: { system: true, device: '/dev/vda', mountpoint: '/' } });
    assert.equal(await words(removableDriveWarning('/tmp/out', async () => recorded('linux-vm'), noMounts)), '/tmp/out is not on a removable drive (it is on the system drive /dev/vda, mounted at /)');
    assert.equal(await removableDriveWarning('/media/me/KINGSTON', async () => recorded('linux-laptop-usb'), noMounts), undefined);
    assert.equal(await words(removableDriveWarning('/media/data', async () => recorded('linux-laptop-usb'), noMounts)), '/media/data is not on a removable drive (it is on a fixed drive /dev/sda, mounted at /media/data)');
    // An image mounted with fusefat in a folder of the system drive is on no listed drive, not on the system drive.
    const fuse: MountEntry = { source: 'fusefat', path: '/tmp/out', fileSystem: 'fuse.fusefat', readOnly: false };
    const root: MountEntry = { source: '/dev/vda1', path: '/', fileSystem: 'ext4', readOnly: false };
    assert.deepEqual(await removableDriveWarning('/tmp/out/bundles', async () => recorded('linux-vm'), async () => [root, fuse]), { kind: 'not-removable', folder: '/tmp/out/bundles' });
    assert.equal((await removableDriveWarning('/tmp/elsewhere', async () => recorded('linux-vm'), async () => [root, fuse]))?.kind, 'not-removable');
    assert.deepEqual((await removableDriveWarning('/tmp/elsewhere', async () => recorded('linux-vm'), async () => [root, fuse]) as { on?: unknown }).on, { system: true, device: '/dev/vda', mountpoint: '/' });
    assert.match((await words(removableDriveWarning('/x', async () => Promise.reject(new Error('lsblk: not found')))))!, /^\/x: cannot tell whether it is on a removable drive \(listing the drives failed: lsblk: not found\)$/);
  });
});
