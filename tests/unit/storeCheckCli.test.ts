import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from '../../shared/bundle/formatBytes';
import type { WrittenBundle } from '../../electron/core/bundle/writeBundle';
import { trustedKeysDir } from '../../electron/core/appDirs/appDirs';
import { trustStore } from '../../electron/core/keys/trustStore';
import { openStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { serveCommand } from '../../electron/cli/commands/serveCommand';
import { runCli } from '../../electron/cli/main';
import { makeTempDir, sha256Hex, testSigningKey } from '../support/bundleSources';
import { captureOutput } from '../support/captureOutput';
import { makeBundle } from '../support/storeFixtures';

const key = testSigningKey();
const stranger = testSigningKey();
const A_ZIP = 'example.com/a/@v/v1.0.0.zip';
const A_INFO = 'example.com/a/@v/v1.0.0.info';

let root: string;
let cleanup: () => Promise<void>;
let savedHome: string | undefined;
let bundle: WrittenBundle;
let strangerBundle: WrittenBundle;
let counter = 0;

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('store-check-cli'));
  savedHome = process.env.MODFERRY_HOME;
  process.env.MODFERRY_HOME = path.join(root, 'home');
  await trustStore(trustedKeysDir()).trustKey(key.publicKey);
  bundle = await makeBundle(root, [{ path: 'example.com/a', version: 'v1.0.0' }, { path: 'example.com/b', version: 'v0.1.0' }], key);
  strangerBundle = await makeBundle(root, [{ path: 'example.com/a', version: 'v1.0.0' }], stranger);
});
after(async () => {
  if (savedHome === undefined) delete process.env.MODFERRY_HOME;
  else process.env.MODFERRY_HOME = savedHome;
  await cleanup();
});

async function freshStore(): Promise<string> {
  const dir = path.join(root, `store-${++counter}`);
  const store = openStore(dir, { mode: 'write' });
  try {
    await importBundle(bundle.bundleDir, { store, trust: () => true });
  } finally {
    store.close();
  }
  return dir;
}

const inTree = (storeDir: string, treePath: string): string => path.join(storeDir, 'tree', ...treePath.split('/'));

async function flipByte(file: string): Promise<Buffer> {
  const bytes = Buffer.from(await readFile(file));
  bytes[0] = (bytes[0] ?? 0) ^ 0xff;
  await writeFile(file, bytes);
  return bytes;
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const output = captureOutput();
  const code = await runCli(['store', ...args], output);
  return { code, stdout: output.stdout, stderr: output.stderr };
}

async function proxyUrlOf(lines: string[]): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = lines.find((l) => /^ {2}export GOPROXY=/.test(l));
    if (line !== undefined) return line.replace(/^ {2}export GOPROXY=/, '');
    if (Date.now() > deadline) throw new Error(`serve printed no GOPROXY line; printed:\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const storedFiles = (): Array<{ size: number }> => bundle.manifest.entries.filter((entry) => !entry.path.endsWith('/@v/list'));
const checkedLine = (storeDir: string): string =>
  `Checked ${storedFiles().length} files (${formatBytes(storedFiles().reduce((sum, e) => sum + e.size, 0))}) in ${storeDir}`;

describe('modferry store check', () => {
  test('a sound store: exit 0', async () => {
    const dir = await freshStore();
    const { code, stdout, stderr } = await cli('check', '--store', dir);
    assert.equal(code, 0);
    assert.deepEqual(stdout, [`${checkedLine(dir)}: the store is sound`]);
    assert.match(stderr[0] ?? '', new RegExp(`^\\[check\\] 0/${storedFiles().length} files .* checking every file against the catalog$`), 'progress goes to stderr');
  });

  test('damaged, missing and stray files are named, with both hashes; exit 1; nothing changes', async () => {
    const dir = await freshStore();
    const good = await readFile(inTree(dir, A_ZIP));
    const bad = await flipByte(inTree(dir, A_ZIP));
    await rm(inTree(dir, A_INFO));
    await writeFile(inTree(dir, 'example.com/a/@v/v2.0.0.mod'), 'module example.com/a\n');
    const { code, stdout } = await cli('check', '--store', dir);
    assert.equal(code, 1);
    assert.deepEqual(stdout, [
      `damaged: ${A_ZIP} (example.com/a@v1.0.0): sha256 differs from the catalog: sha256 ${sha256Hex(bad)}, the catalog says ${sha256Hex(good)}`,
      `missing: ${A_INFO} (example.com/a@v1.0.0)`,
      'not in the catalog: tree/example.com/a/@v/v2.0.0.mod',
      `${checkedLine(dir)}: 1 damaged, 1 missing, 1 not in the catalog`,
      "Run 'modferry store check --repair' (with --bundle DIR for a bundle that holds the damaged or missing files) to repair it.",
    ]);
    assert.deepEqual(await readFile(inTree(dir, A_ZIP)), bad);
    assert.equal(await readFile(inTree(dir, 'example.com/a/@v/v2.0.0.mod'), 'utf8'), 'module example.com/a\n');
  });

  test('--repair --bundle restores the files and names each one; exit 0, and the next check is clean', async () => {
    const dir = await freshStore();
    const good = await readFile(inTree(dir, A_ZIP));
    await flipByte(inTree(dir, A_ZIP));
    await rm(inTree(dir, A_INFO));
    const { code, stdout } = await cli('check', '--store', dir, '--repair', '--bundle', strangerBundle.bundleDir, '--bundle', bundle.bundleDir);
    // The stranger's bundle comes first and is refused: nothing is taken from either.
    assert.equal(code, 1);
    assert.deepEqual(stdout, []);

    const repaired = await cli('check', '--store', dir, '--repair', '--bundle', bundle.bundleDir);
    assert.equal(repaired.code, 0);
    const id = bundle.manifest.bundleId;
    assert.deepEqual(repaired.stdout.slice(3, 5), [`restored: ${A_INFO} (example.com/a@v1.0.0) from ${id}`, `restored: ${A_ZIP} (example.com/a@v1.0.0) from ${id}`]);
    assert.match(repaired.stdout[5] ?? '', new RegExp(`^Moved 1 file to ${path.join(dir, 'quarantine')}.*store-check \\(nothing was deleted\\)$`));
    assert.equal(repaired.stdout[6], 'Repaired: the store is sound');
    assert.deepEqual(await readFile(inTree(dir, A_ZIP)), good);
    assert.equal((await cli('check', '--store', dir)).code, 0);
  });

  test('--repair without a bundle forgets what it cannot restore and says what to bring; exit 1', async () => {
    const dir = await freshStore();
    await flipByte(inTree(dir, A_ZIP));
    const { code, stdout } = await cli('check', '--store', dir, '--repair');
    assert.equal(code, 1);
    assert.equal(
      stdout[2],
      `forgotten: ${A_ZIP} (example.com/a@v1.0.0), damaged and in no bundle given: bring a bundle holding example.com/a@v1.0.0 (it came with ${bundle.manifest.bundleId})`,
    );
    assert.match(stdout.at(-1) ?? '', /^Not fully repaired: 1 file is no longer served/);
    assert.equal((await cli('check', '--store', dir)).code, 0, 'what is left is sound');
  });

  test('a bundle signed by an untrusted key is refused for repair, naming the bundle and the signer', async () => {
    const dir = await freshStore();
    await flipByte(inTree(dir, A_ZIP));
    const { code, stderr } = await cli('check', '--store', dir, '--repair', '--bundle', strangerBundle.bundleDir);
    assert.equal(code, 1);
    assert.ok(stderr.at(-1)?.startsWith(`modferry store: ${strangerBundle.bundleDir}: refused for repair: manifest.sig: signed by ${stranger.fingerprint}, which is not a trusted signer`));
    assert.equal((await cli('check', '--store', dir)).code, 1, 'the damaged file is still there, not forgotten');
  });

  test('checks and repairs while modferry serve serves the same store', async () => {
    const dir = await freshStore();
    const good = await readFile(inTree(dir, A_ZIP));
    await flipByte(inTree(dir, A_ZIP));
    const served = captureOutput();
    const stop = new AbortController();
    const serving = serveCommand(['--store', dir, '--listen', '127.0.0.1:0'], served, { stop: stop.signal, env: {} });
    try {
      const url = await proxyUrlOf(served.stdout);
      const [checked, info] = await Promise.all([cli('check', '--store', dir), fetch(`${url}/example.com/b/@v/v0.1.0.info`)]);
      assert.equal(info.status, 200);
      assert.equal(checked.code, 1);
      assert.match(checked.stdout[0] ?? '', new RegExp(`^damaged: ${A_ZIP} `));
      const repaired = await cli('check', '--store', dir, '--repair', '--bundle', bundle.bundleDir);
      assert.equal(repaired.code, 0, repaired.stderr.join('\n'));
      const zip = await fetch(`${url}/example.com/a/@v/v1.0.0.zip`);
      assert.equal(zip.status, 200);
      assert.deepEqual(Buffer.from(await zip.arrayBuffer()), good);
    } finally {
      stop.abort();
      assert.equal(await serving, 0);
    }
  });

  test('Ctrl+C stops the check and leaves no signal handler behind', async () => {
    const dir = await freshStore();
    const before = process.listeners('SIGINT');
    const termBefore = process.listenerCount('SIGTERM');
    const running = cli('check', '--store', dir, '--repair', '--bundle', bundle.bundleDir);
    let added: NodeJS.SignalsListener[] = [];
    while (added.length === 0) {
      await new Promise((resolve) => setImmediate(resolve));
      added = process.listeners('SIGINT').filter((listener) => !before.includes(listener));
    }
    for (const listener of added) listener('SIGINT');
    const { code, stdout, stderr } = await running;
    assert.equal(code, 1);
    assert.deepEqual(stdout, []);
    assert.equal(stderr.at(-1), 'modferry store: interrupted; the store was not changed');
    assert.deepEqual(process.listeners('SIGINT'), before);
    assert.equal(process.listenerCount('SIGTERM'), termBefore);
    assert.equal((await cli('check', '--store', dir)).code, 0);
  });

  test('--json prints the result as one JSON line', async () => {
    const dir = await freshStore();
    await flipByte(inTree(dir, A_ZIP));
    const { code, stdout } = await cli('check', '--store', dir, '--json');
    assert.equal(code, 1);
    const lines = stdout.map((line) => JSON.parse(line) as { type: string });
    assert.ok(lines.slice(0, -1).every((line) => line.type === 'progress'));
    const result = lines.at(-1) as unknown as { type: string; store: string; sound: boolean; check: { damaged: Array<{ file: { path: string } }> } };
    assert.equal(result.type, 'result');
    assert.equal(result.store, dir);
    assert.equal(result.sound, false);
    assert.deepEqual(result.check.damaged.map(({ file }) => file.path), [A_ZIP]);
  });

  test('usage errors exit 2; a folder without a store exits 1', async () => {
    assert.equal((await cli()).code, 2);
    assert.equal((await cli('fix')).code, 2);
    const dir = await freshStore();
    const withoutRepair = await cli('check', '--store', dir, '--bundle', bundle.bundleDir);
    assert.equal(withoutRepair.code, 2);
    assert.match(withoutRepair.stderr[0] ?? '', /--bundle is for --repair/);
    const help = await cli('check', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout[0] ?? '', /^modferry store check \[--store DIR\] \[--repair\] \[--bundle DIR\]\.\.\. \[--json\]/);
    const none = await cli('check', '--store', path.join(root, 'nothing-here'));
    assert.equal(none.code, 1);
    assert.match(none.stderr[0] ?? '', /no store there/);
  });
});
