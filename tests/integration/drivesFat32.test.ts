/**
 * A real FAT32 file system: an image made by mkfs.vfat, mounted with fusefat (this kernel has no vfat
 * module for a loop mount). fusefat tells statfs nothing of its size, so the free-space check before
 * writing cannot know; a full drive is then found while writing, and that is what is tested here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../electron/cli/main';
import { writeBundle } from '../../electron/core/bundle/writeBundle';
import { runEjectSteps } from '../../electron/core/drives/eject';
import { readMountTable } from '../../electron/core/drives/mountTable';
import { volumeSizeForFolder } from '../../electron/core/drives/volumeSize';
import { ModFerryError } from '../../electron/core/errors/modferryError';
import { makeBundleSources, testSigningKey } from '../support/bundleSources';
import { captureOutput } from '../support/captureOutput';
import { debianGoproxyFixture, type GoproxyFixture } from '../support/debianFixture';
import { startFixtureUpstream, type FixtureUpstream } from '../support/fixtureUpstream';
import { installedGo } from '../support/goCommand';
import { goProgram } from '../support/goProgramFixture';
import { isMounted, mountFat32, requireFat32Tools } from '../support/fat32Drive';

// The CLI and the app read GOSUMDB, and unset means sum.golang.org: these tests ask no checksum database.
process.env.GOSUMDB = 'off';

let fixture: GoproxyFixture;
let upstream: FixtureUpstream;
let home: string;
const savedHome = process.env.MODFERRY_HOME;

before(async () => {
  if (!installedGo() && process.env.MODFERRY_REQUIRE_GO === '1') throw new Error('MODFERRY_REQUIRE_GO=1 but no go command');
  requireFat32Tools();
  fixture = await debianGoproxyFixture();
  upstream = await startFixtureUpstream(fixture.dir);
  home = await mkdtemp(path.join(os.tmpdir(), 'modferry-home-'));
  process.env.MODFERRY_HOME = home;
});

after(async () => {
  await upstream?.close();
  process.env.MODFERRY_HOME = savedHome;
  if (savedHome === undefined) delete process.env.MODFERRY_HOME;
  if (home !== undefined) await rm(home, { recursive: true, force: true });
});

/** The free space FAT32 records in its FSInfo sector: what statfs on fusefat does not tell. */
async function fatFreeBytes(image: string): Promise<number> {
  const bytes = await readFile(image);
  const bytesPerSector = bytes.readUInt16LE(0x0b);
  const sectorsPerCluster = bytes.readUInt8(0x0d);
  const fsInfo = bytes.readUInt16LE(0x30) * bytesPerSector;
  assert.equal(bytes.readUInt32LE(fsInfo), 0x41615252, 'FSInfo signature');
  return bytes.readUInt32LE(fsInfo + 488) * bytesPerSector * sectorsPerCluster;
}

async function cli(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const output = captureOutput();
  const code = await runCli(args, output);
  return { code, stdout: output.stdout, stderr: output.stderr };
}

describe('a FAT32 drive', { timeout: 600_000 }, () => {
  test('an export is written to it and verified from it', async (t) => {
    const drive = await mountFat32(t, 64);
    assert.equal((await readMountTable()).find((entry) => entry.path === drive.mount)?.fileSystem, 'fuse.fusefat');
    await mkdir(path.join(drive.mount, 'bundles'));
    assert.equal((await volumeSizeForFolder(path.join(drive.mount, 'bundles'))).bytes, 4 * 1024 ** 3 - 1);
    assert.equal((await volumeSizeForFolder(home)).bytes, Number.MAX_SAFE_INTEGER, `${home} is not on FAT`);
    const project = await goProgram(fixture, home);
    const exported = await cli(['export', '--upstream', upstream.url, '--project', project, '--out', drive.mount]);
    assert.equal(exported.code, 0, exported.stderr.join('\n'));
    const bundles = readdirSync(drive.mount).filter((name) => existsSync(path.join(drive.mount, name, 'manifest.json')));
    assert.equal(bundles.length, 1);
    const verified = await cli(['verify', path.join(drive.mount, bundles[0]!), '--trust-new-key']);
    assert.equal(verified.code, 0, verified.stderr.join('\n'));
    assert.match(verified.stdout[0] ?? '', new RegExp(`^Verified ${bundles[0]}: \\d+ files in 1 volume `));
  });

  test('a drive too small for the bundle stops the export with the drive named and leaves no partial bundle', async (t) => {
    const drive = await mountFat32(t, 64);
    // Leave 256 KiB: the bundle of the basic program is larger.
    const filler = path.join(drive.mount, 'FILLER.BIN');
    const handle = await open(filler, 'w');
    try {
      // fusefat cannot truncate a file longer: written out.
      const chunk = Buffer.alloc(1024 * 1024);
      for (let left = (await fatFreeBytes(drive.image)) - 256 * 1024; left > 0; left -= chunk.length) await handle.write(chunk, 0, Math.min(left, chunk.length));
    } finally {
      await handle.close();
    }
    const before = readdirSync(drive.mount).sort();
    const project = await goProgram(fixture, home);
    const failed = await cli(['export', '--upstream', upstream.url, '--project', project, '--out', drive.mount, '--no-check', '--json']);
    assert.equal(failed.code, 1);
    const record = JSON.parse(failed.stdout.at(-1)!) as { kind: string; message: string; drive?: string; retryable?: boolean; problem?: string };
    assert.equal(record.kind, 'destination');
    assert.equal(record.problem, 'drive-full', 'what happened, as a code the app words in its language');
    assert.equal(record.drive, drive.mount);
    assert.equal(record.retryable, true);
    assert.match(record.message, new RegExp(`^the drive at ${drive.mount.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is full: [0-9.]+ MiB needed, it does not tell its free space; free some space or use a larger drive, then try again$`));
    assert.deepEqual(readdirSync(drive.mount).sort(), before, 'nothing of the bundle is left on the drive');
  });

  test('a read-only drive is refused, named, before anything is downloaded for it', async (t) => {
    const drive = await mountFat32(t, 64, 'ro');
    const project = await goProgram(fixture, home);
    const asked = upstream.requests.length;
    for (const plan of [['--plan'], []]) {
      const refused = await cli(['export', '--upstream', upstream.url, '--project', project, '--out', drive.mount, '--no-check', '--json', ...plan]);
      assert.equal(refused.code, 1, refused.stdout.join('\n'));
      const record = JSON.parse(refused.stdout.at(-1)!) as { kind: string; message: string; file?: string };
      assert.deepEqual(record, {
        type: 'error',
        kind: 'destination',
        message: `${drive.mount} is read-only (a write-protected drive, or one mounted read-only): choose another drive or folder`,
        file: drive.mount,
      });
    }
    assert.equal(upstream.requests.length, asked, 'nothing was asked of the upstream');
  });

  test('a volume size FAT cannot hold is refused before anything is downloaded, by the plan too', async (t) => {
    const drive = await mountFat32(t, 64);
    const project = await goProgram(fixture, home);
    const asked = upstream.requests.length;
    for (const plan of [['--plan'], []]) {
      const refused = await cli(['export', '--upstream', upstream.url, '--project', project, '--out', drive.mount, '--volume-size', '5G', '--no-check', '--json', ...plan]);
      assert.equal(refused.code, 1, refused.stdout.join('\n'));
      const record = JSON.parse(refused.stdout.at(-1)!) as { kind: string; message: string };
      assert.equal(record.message, 'a volume size of 5.0 GiB does not fit on fuse.fusefat: FAT holds no file larger than 4 GiB - 1 byte', plan.join(' '));
    }
    assert.equal(upstream.requests.length, asked, 'nothing was asked of the upstream');
  });

  test('eject: a drive in use gives the plain message naming it; once the files are closed it unmounts', async (t) => {
    const drive = await mountFat32(t, 64);
    const busy = await open(path.join(drive.mount, 'OPEN.TXT'), 'w');
    const unmount = [{ command: 'fusermount', args: ['-u', drive.mount] }];
    try {
      await assert.rejects(runEjectSteps(drive.mount, unmount), (error: unknown) => {
        assert.ok(error instanceof ModFerryError);
        assert.equal(error.kind, 'destination');
        assert.equal(error.retryable, true);
        assert.deepEqual(error.fields, { drive: drive.mount });
        assert.equal(error.message, `${drive.mount} is in use: close the files open on ${drive.mount} (and any window showing it), then eject again`);
        return true;
      });
    } finally {
      await busy.close();
    }
    await runEjectSteps(drive.mount, unmount);
    assert.equal(isMounted(drive.mount), false);
    await assert.rejects(runEjectSteps(drive.mount, unmount), /no longer there|ejecting .* failed/);
  });

  test('a drive pulled mid-write stops the write with the drive named, as a retryable destination error', async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'modferry-pulled-'));
    const image = path.join(dir, 'stick.img');
    const mount = path.join(dir, 'STICK');
    await mkdir(mount);
    execFileSync('truncate', ['-s', '64M', image]);
    execFileSync('mkfs.vfat', ['-F', '32', image], { stdio: 'ignore' });
    // In the foreground, so killing it is pulling the drive: every later call on the mount fails.
    const daemon = spawn('fusefat', ['-f', '-o', 'rw+', image, mount], { stdio: 'ignore' });
    t.after(async () => {
      daemon.kill('SIGKILL');
      if (isMounted(mount)) execFileSync('fusermount', ['-u', mount]);
      await rm(dir, { recursive: true, force: true });
    });
    for (let i = 0; i < 100 && !isMounted(mount); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(isMounted(mount), 'fusefat mounted the image');
    const files = await makeBundleSources(path.join(dir, 'cache'), [{ path: 'example.com/big', version: 'v1.0.0', files: { 'data.bin': randomBytes(4 * 1024 * 1024) } }]);
    let pulled = false;
    const writing = writeBundle({
      outDir: mount, files, inputs: [{ kind: 'module', value: 'example.com/big@v1.0.0' }], signingKey: testSigningKey(), toolVersion: '0.0.0',
      onProgress: () => {
        if (pulled) return;
        pulled = true;
        daemon.kill('SIGKILL');
        // Its files are closed, and the mount dead, once it is a zombie (or gone).
        while (existsSync(`/proc/${daemon.pid}/status`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${daemon.pid}/status`, 'utf8')));
      },
    });
    await assert.rejects(writing, (error: unknown) => {
      assert.ok(error instanceof ModFerryError, String(error));
      assert.equal(error.kind, 'destination');
      assert.equal(error.retryable, true);
      assert.deepEqual(error.fields, { drive: mount });
      assert.equal(error.problem, 'drive-gone');
      assert.equal(error.message, `the drive at ${mount} was removed or failed while the bundle was written; plug it in again (or use another drive), then try again`);
      return true;
    });
    assert.ok(pulled);
  });
});
