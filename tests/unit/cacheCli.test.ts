import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from '../../shared/bundle/formatBytes';
import { cacheCommand } from '../../electron/cli/commands/cacheCommand';
import { runCli } from '../../electron/cli/main';
import { cacheUsage } from '../../electron/core/cache/cacheMaintenance';
import { DownloadCache } from '../../electron/core/upstream/downloadCache';
import { captureOutput } from '../support/captureOutput';
import { makeTempDir } from '../support/bundleSources';

let home: string;
let cleanup: () => Promise<void>;
const savedHome = process.env.MODFERRY_HOME;
before(async () => {
  ({ dir: home, cleanup } = await makeTempDir('cache-cli'));
  process.env.MODFERRY_HOME = home;
});
after(async () => {
  if (savedHome === undefined) delete process.env.MODFERRY_HOME;
  else process.env.MODFERRY_HOME = savedHome;
  await cleanup();
});

async function cached(cache: DownloadCache, key: string, text: string): Promise<void> {
  const writer = await cache.beginWrite();
  await writer.write(Buffer.from(text));
  await writer.commit(key);
}

test('cache info shows the folder, file count and size; clean removes only the cache\'s own files', async () => {
  const dir = path.join(home, 'cache', 'downloads');
  const run = async (args: string[]) => {
    const output = captureOutput();
    assert.equal(await cacheCommand(args, output), 0);
    return output.stdout;
  };
  assert.deepEqual(await run(['info']), [`Download cache ${dir}: 0 files, ${formatBytes(0)}`]);

  const cache = new DownloadCache(dir);
  await cached(cache, 'example.com/a/@v/v1.0.0.mod', 'module example.com/a\n');
  await cached(cache, 'example.com/a/@v/v1.0.0.info', '{"Version":"v1.0.0"}');
  await writeFile(path.join(dir, 'README-mine.txt'), 'not the cache\'s');
  const bytes = await usageBytes(dir);
  assert.ok(bytes > 21 + 20 + 15, 'two blobs, their index entries and the stranger');
  assert.deepEqual(await run(['info']), [`Download cache ${dir}: 5 files, ${formatBytes(bytes)}`]);
  assert.deepEqual(JSON.parse((await run(['info', '--json']))[0]!), { type: 'result', dir, files: 5, bytes });

  const cleaned = await run(['clean']);
  assert.equal(cleaned[0], `Removed 4 files (${formatBytes(bytes - 15)}) from the download cache ${dir}`);
  assert.deepEqual(cleaned.slice(1), ['Kept 1 file the cache did not write: README-mine.txt']);
  assert.deepEqual(await readdir(dir), ['README-mine.txt'], 'the folders it emptied are gone; the stranger stays');
  assert.equal(await cache.lookup('example.com/a/@v/v1.0.0.mod'), undefined, 'the next export asks the upstream afresh');
  assert.deepEqual(await run(['info']), [`Download cache ${dir}: 1 file, ${formatBytes(15)}`]);
});

test('clean is refused while an export is running; bad subcommands are usage errors', async (t) => {
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  t.after(() => sleeper.kill('SIGKILL'));
  const staging = path.join(home, 'cache', `staging-${sleeper.pid}-abc123`);
  await mkdir(staging, { recursive: true });
  const output = captureOutput();
  assert.equal(await runCli(['cache', 'clean'], output), 1);
  assert.deepEqual(output.stderr, [`modferry cache: an export (pid ${sleeper.pid}) is using the download cache; clean it once that export has finished`]);
  sleeper.kill('SIGKILL');
  await once(sleeper, 'exit');
  assert.equal(await runCli(['cache', 'clean'], captureOutput()), 0, 'once that export is gone, clean goes ahead');
  assert.ok(existsSync(staging), 'an export\'s staging folder is not the download cache\'s to remove');

  const usage = captureOutput();
  assert.equal(await runCli(['cache', 'wipe'], usage), 2);
  assert.deepEqual(usage.stderr, ['modferry cache: cache: unknown subcommand "wipe" (expected info or clean) (see modferry cache --help)']);
});

async function usageBytes(dir: string): Promise<number> {
  return (await cacheUsage({ data: home, cache: path.dirname(dir) })).bytes;
}
