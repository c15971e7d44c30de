import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import packageJson from '../../package.json';
import { runCli } from '../../electron/cli/main';
import { captureOutput } from '../support/captureOutput';

let dir: string;

async function writeZip(name: string, entries: Record<string, string>): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const [entry, content] of Object.entries(entries)) zip.addBuffer(Buffer.from(content), entry);
  zip.end();
  const file = path.join(dir, name);
  await pipeline(zip.outputStream, createWriteStream(file));
  return file;
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modferry-cli-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('modferry CLI', () => {
  test('--version prints the package version', async () => {
    const output = captureOutput();
    assert.equal(await runCli(['--version'], output), 0);
    assert.deepEqual(output.stdout, [packageJson.version]);
  });

  test('--help lists the commands; a command --help shows its usage', async () => {
    const output = captureOutput();
    assert.equal(await runCli(['--help'], output), 0);
    assert.match(output.stdout.join('\n'), /hash\s+print the h1: hash/);
    assert.equal(await runCli(['hash', '--help'], output), 0);
    assert.match(output.stdout.at(-1)!, /^modferry hash FILE/);
  });

  test('an unknown command is one line on stderr', async () => {
    const output = captureOutput();
    assert.equal(await runCli(['frobnicate'], output), 2);
    assert.deepEqual(output.stderr, ['modferry: unknown command "frobnicate" (see modferry --help)']);
  });

  test('hash prints the h1 of a go.mod', async () => {
    const mod = path.join(dir, 'v1.0.0.mod');
    await writeFile(mod, 'module example.com/m\n\ngo 1.19\n');
    const output = captureOutput();
    assert.equal(await runCli(['hash', mod], output), 0);
    assert.match(output.stdout[0]!, /^h1:[A-Za-z0-9+/]{43}=$/);
  });

  test('hash of an empty module zip is the h1 of no files, as x/mod computes it', async () => {
    const zip = await writeZip('empty.zip', {});
    const output = captureOutput();
    assert.equal(await runCli(['hash', zip], output), 0, output.stderr.join('\n'));
    assert.deepEqual(output.stdout, ['h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=']);
  });

  test('hash of several files names each', async () => {
    const zip = await writeZip('ok.zip', { 'example.com/m@v1.0.0/go.mod': 'module example.com/m\n', 'example.com/m@v1.0.0/m.go': 'package m\n' });
    const mod = path.join(dir, 'several.mod');
    await writeFile(mod, 'module example.com/m\n');
    const output = captureOutput();
    assert.equal(await runCli(['hash', zip, mod], output), 0);
    assert.equal(output.stdout.length, 2);
    assert.ok(output.stdout[0]!.endsWith(`  ${zip}`));
    assert.ok(output.stdout[1]!.endsWith(`  ${mod}`));
  });

  const badInputs: Array<[string, () => Promise<string>, RegExp]> = [
    ['a missing file', async () => path.join(dir, 'missing.zip'), /missing\.zip: no such file$/],
    ['a file that is neither .zip nor .mod', async () => {
      const f = path.join(dir, 'notes.txt');
      await writeFile(f, 'hi');
      return f;
    }, /notes\.txt: cannot tell what to hash/],
    ['bytes that are not a zip', async () => {
      const f = path.join(dir, 'garbage.zip');
      await writeFile(f, 'this is not a zip file at all, just text padding it out');
      return f;
    }, /garbage\.zip/],
    ['a zip whose entries are not under path@version/', async () => writeZip('loose.zip', { 'main.go': 'package main\n' }), /loose\.zip: .*main\.go/],
    ['a zip with an entry outside the module prefix', async () => writeZip('mixed.zip', {
      'example.com/m@v1.0.0/go.mod': 'module example.com/m\n',
      'example.com/other@v1.0.0/x.go': 'package x\n',
    }), /mixed\.zip: example\.com\/other@v1\.0\.0\/x\.go/],
    ['a zip with case-fold colliding names', async () => writeZip('fold.zip', {
      'example.com/m@v1.0.0/A.go': 'package m\n',
      'example.com/m@v1.0.0/a.go': 'package m\n',
    }), /fold\.zip: .*a\.go.*collision|fold\.zip: .*collision/i],
  ];
  for (const [what, make, message] of badInputs) {
    test(`hash of ${what} exits 1 with one line naming the file`, async () => {
      const file = await make();
      const output = captureOutput();
      assert.equal(await runCli(['hash', file], output), 1);
      assert.equal(output.stdout.length, 0);
      assert.equal(output.stderr.length, 1, output.stderr.join('\n'));
      assert.match(output.stderr[0]!, message);
      assert.ok(!output.stderr[0]!.includes('    at '), 'no stack trace');
    });
  }

  test('hash with no file is a usage error', async () => {
    const output = captureOutput();
    assert.equal(await runCli(['hash'], output), 2);
    assert.match(output.stderr[0]!, /hash needs at least one FILE.*see modferry hash --help/);
  });
});
