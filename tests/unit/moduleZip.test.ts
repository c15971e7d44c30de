import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import yazl from 'yazl';
import { formatModuleZipProblem, MAX_GO_MOD_BYTES, MAX_LICENSE_BYTES } from '../../shared/gomod/moduleZipRules';
import { h1Of, hashGoModBytes, hashGoModFile, hashModuleZip } from '../../electron/core/modzip/hashModuleZip';
import { inspectModuleZip } from '../../electron/core/modzip/inspectModuleZip';
import { ModuleZipError } from '../../electron/core/modzip/moduleZipError';
import { rejectsWithZipError } from '../support/moduleZipAssertions';
import { readZipEntries } from '../../electron/core/modzip/readZipEntries';
import { goModDownload, offlineGoEnv, requireGo, scratchGoWorkspace } from '../support/goCommand';
import { writeSingleVersionProxy } from '../support/goproxyTree';

interface ZipItem {
  name: string;
  content?: string | Buffer;
  directory?: boolean;
  /** Stored without compression. */
  store?: boolean;
}

const fixedTime = new Date('2023-01-01T00:00:00Z');
const mod = { path: 'example.com/m', version: 'v1.0.0' };
const P = 'example.com/m@v1.0.0/';
const GO_MOD = 'module example.com/m\n\ngo 1.19\n';

let dir: string;
let counter = 0;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modferry-modzip-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function zipBytes(items: ZipItem[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const item of items) {
    if (item.directory === true) zip.addEmptyDirectory(item.name, { mtime: fixedTime });
    else zip.addBuffer(Buffer.from(item.content ?? ''), item.name, { mtime: fixedTime, compress: item.store !== true });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function saveZip(bytes: Buffer, name = `z${++counter}.zip`): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return file;
}

async function writeZip(items: ZipItem[]): Promise<string> {
  return saveZip(await zipBytes(items));
}

/** Same-length byte surgery, for names and data no zip writer would produce. */
function replaceAll(bytes: Buffer, from: string | Buffer, to: string | Buffer): Buffer {
  const a = Buffer.from(from);
  const b = Buffer.from(to);
  assert.equal(a.length, b.length);
  const out = Buffer.from(bytes);
  let found = 0;
  for (let at = out.indexOf(a); at >= 0; at = out.indexOf(a, at + 1)) {
    b.copy(out, at);
    found++;
  }
  assert.ok(found > 0, `${a.toString()} not found in the zip`);
  return out;
}

/** Offsets of an entry's central directory header and its data, for a zip without a comment. */
function locate(bytes: Buffer, name: string): { central: number; data: number; compressedSize: number } {
  const end = bytes.length - 22;
  assert.equal(bytes.readUInt32LE(end), 0x06054b50);
  let at = bytes.readUInt32LE(end + 16);
  for (let i = 0; i < bytes.readUInt16LE(end + 10); i++) {
    const nameLength = bytes.readUInt16LE(at + 28);
    const next = at + 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
    if (bytes.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      const local = bytes.readUInt32LE(at + 42);
      const data = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
      return { central: at, data, compressedSize: bytes.readUInt32LE(at + 20) };
    }
    at = next;
  }
  throw new Error(`no entry ${name}`);
}


const sha256Hex = (content: string | Buffer): string => createHash('sha256').update(content).digest('hex');

const validItems: ZipItem[] = [
  { name: P, directory: true },
  { name: `${P}go.mod`, content: GO_MOD },
  { name: `${P}m.go`, content: 'package m\n', store: true },
  { name: `${P}sub/`, directory: true },
  { name: `${P}sub/x.go`, content: 'package sub\n'.repeat(100) },
  { name: `${P}ｶ.go`, content: 'package m // U+FF76\n' },
  { name: `${P}𝒜.go`, content: 'package m // U+1D49C\n' },
  { name: `${P}Z.go`, content: 'package m\n' },
  { name: `${P}.hidden`, content: 'dot file' },
  { name: `${P}empty.txt`, content: '' },
  { name: `${P}LICENSE`, content: 'MIT\n' },
];

describe('hashModuleZip', () => {
  test('hashes every entry by full name, directories included, in Go byte order', async () => {
    const file = await writeZip(validItems);
    const expected = h1Of(validItems.map((item) => ({ name: item.name, sha256Hex: sha256Hex(item.content ?? '') })));
    assert.equal(await hashModuleZip(file), expected);
  });

  test('does not depend on entry order, compression or timestamps', async () => {
    const one = await writeZip(validItems);
    const other = await writeZip([...validItems].reverse().map((item) => ({ ...item, store: item.store !== true })));
    assert.notDeepEqual(await readFile(one), await readFile(other));
    assert.equal(await hashModuleZip(one), await hashModuleZip(other));
  });

  test('a name listed twice is hashed twice with its last content, as dirhash.HashZip does', async () => {
    const file = await writeZip([{ name: `${P}a.go`, content: 'first' }, { name: `${P}a.go`, content: 'second' }]);
    assert.equal(await hashModuleZip(file), h1Of([{ name: `${P}a.go`, sha256Hex: sha256Hex('second') }, { name: `${P}a.go`, sha256Hex: sha256Hex('second') }]));
  });

  test('hashes without applying the module zip rules', async () => {
    const items = [{ name: 'README', content: 'x' }, { name: `${P}a.go`, content: 'y' }, { name: `${P}A.go`, content: 'z' }];
    const file = await writeZip(items);
    assert.equal(await hashModuleZip(file), h1Of(items.map((item) => ({ name: item.name, sha256Hex: sha256Hex(item.content) }))));
  });

  test('a name with a newline cannot be hashed', async () => {
    const file = await saveZip(replaceAll(await zipBytes([{ name: `${P}a_b.go`, content: 'x' }]), 'a_b.go', 'a\nb.go'));
    await rejectsWithZipError(hashModuleZip(file), file, `${P}a\nb.go`, 'name contains a newline, which h1 cannot hash');
    await assert.rejects(hashModuleZip(file), { message: `${file}: "${P}a\\nb.go": name contains a newline, which h1 cannot hash` });
  });
});

describe('go.mod hashes', () => {
  test('hash the bytes as a one-file tree named go.mod', async () => {
    assert.equal(hashGoModBytes(new Uint8Array()), 'h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=');
    assert.equal(hashGoModBytes(Buffer.from(GO_MOD)), h1Of([{ name: 'go.mod', sha256Hex: sha256Hex(GO_MOD) }]));
    const modFile = path.join(dir, 'v1.0.0.mod');
    await writeFile(modFile, GO_MOD);
    assert.equal(await hashGoModFile(modFile), hashGoModBytes(Buffer.from(GO_MOD)));
  });

  test('a missing .mod file is named', async () => {
    const missing = path.join(dir, 'missing.mod');
    await assert.rejects(hashGoModFile(missing), { message: `${missing}: no such file` });
  });
});

describe('inspectModuleZip', () => {
  test('validates, hashes and keeps the go.mod in one pass', async () => {
    const file = await writeZip(validItems);
    const inspected = await inspectModuleZip(file, mod, { expectedGoMod: Buffer.from(GO_MOD) });
    assert.equal(inspected.h1, await hashModuleZip(file));
    assert.deepEqual(inspected.goMod, Buffer.from(GO_MOD));
    const files = validItems.filter((item) => item.directory !== true);
    assert.equal(inspected.files, files.length);
    assert.equal(inspected.bytes, files.reduce((sum, item) => sum + Buffer.byteLength(item.content ?? ''), 0));
  });

  test('a zip without go.mod has none to return or compare', async () => {
    const file = await writeZip([{ name: `${P}m.go`, content: 'package m\n' }]);
    const inspected = await inspectModuleZip(file, mod, { expectedGoMod: Buffer.from('module example.com/m\n') });
    assert.equal(inspected.goMod, undefined);
    assert.equal(inspected.files, 1);
  });

  test('a go.mod that differs from the .mod file is refused, naming the zip and go.mod', async () => {
    const file = await writeZip(validItems);
    await rejectsWithZipError(
      inspectModuleZip(file, mod, { expectedGoMod: Buffer.from('module example.com/m\n\ngo 1.20\n') }),
      file,
      `${P}go.mod`,
      "differs from the module's .mod file (first difference on line 3)",
    );
    await rejectsWithZipError(inspectModuleZip(file, mod, { expectedGoMod: Buffer.from(`${GO_MOD}\n`) }), file, `${P}go.mod`, /line 4/);
  });

  const invalid: Array<[string, ZipItem[], string, string]> = [
    ['an entry under another prefix', [{ name: `${P}go.mod`, content: GO_MOD }, { name: 'example.com/other@v1.0.0/x.go' }],
      'example.com/other@v1.0.0/x.go', 'path does not have prefix "example.com/m@v1.0.0/"'],
    ['duplicate names', [{ name: `${P}a.go`, content: 'a' }, { name: `${P}a.go`, content: 'b' }], `${P}a.go`, 'multiple entries for file "a.go"'],
    ['names equal under case folding', [{ name: `${P}A.go` }, { name: `${P}a.go` }], `${P}a.go`, 'case-insensitive file name collision: "A.go" and "a.go"'],
    ['a go.mod below the root', [{ name: `${P}sub/go.mod` }], `${P}sub/go.mod`, 'go.mod file not in module root directory'],
  ];
  for (const [what, items, entry, reason] of invalid) {
    test(`refuses ${what}, naming the zip and the entry`, async () => {
      const file = await writeZip(items);
      await rejectsWithZipError(inspectModuleZip(file, mod), file, entry, reason);
    });
  }

  test('refuses a path with .., naming the entry', async () => {
    const bytes = replaceAll(await zipBytes([{ name: `${P}@@/x.go`, content: 'package x\n' }]), '@@/x.go', '../x.go');
    const file = await saveZip(bytes);
    await rejectsWithZipError(inspectModuleZip(file, mod), file, `${P}../x.go`, 'malformed file path "../x.go": invalid path element ".."');
  });

  test('refuses a go.mod over 16 MiB from its declared size, before reading it', async () => {
    const file = await writeZip([{ name: `${P}go.mod`, content: Buffer.alloc(MAX_GO_MOD_BYTES + 1, 0x20) }]);
    await rejectsWithZipError(inspectModuleZip(file, mod), file, `${P}go.mod`, 'go.mod file too large (16777217 bytes; max size is 16777216 bytes)');
  });

  test('refuses a LICENSE over 16 MiB', async () => {
    const file = await writeZip([{ name: `${P}LICENSE`, content: Buffer.alloc(MAX_LICENSE_BYTES + 1, 0x20) }]);
    await rejectsWithZipError(inspectModuleZip(file, mod), file, `${P}LICENSE`, 'LICENSE file too large (16777217 bytes; max size is 16777216 bytes)');
  });

  test('refuses a module path or version the go command would not accept', async () => {
    const file = await writeZip(validItems);
    await rejectsWithZipError(inspectModuleZip(file, { path: 'example.com/m', version: 'v1.0' }), file, undefined,
      'example.com/m@v1.0: version "v1.0" is not canonical (should be "v1.0.0")');
  });

  test('refuses a declared size the data does not match', async () => {
    const bytes = await zipBytes([{ name: `${P}big.go`, content: 'x'.repeat(5000) }]);
    bytes.writeUInt32LE(4000, locate(bytes, `${P}big.go`).central + 24);
    const file = await saveZip(bytes);
    await rejectsWithZipError(inspectModuleZip(file, mod), file, `${P}big.go`, /^corrupt entry: /);
  });

  test('refuses deflated data zlib cannot inflate, naming the entry; the zips read after it are read as before', async () => {
    const items = [{ name: `${P}go.mod`, content: GO_MOD }, { name: `${P}big.go`, content: 'package m\n'.repeat(500) }];
    const good = await zipBytes(items);
    const bad = Buffer.from(good);
    // A deflate block of type 3, which does not exist.
    bad[locate(bad, `${P}big.go`).data] = 0x07;
    const [badFile, goodFile] = [await saveZip(bad), await saveZip(good)];
    await rejectsWithZipError(inspectModuleZip(badFile, mod), badFile, `${P}big.go`, /invalid block type/);
    assert.equal((await inspectModuleZip(goodFile, mod)).h1, await hashModuleZip(goodFile));
  });
});

describe('a zip inside a larger file', () => {
  /** Zips laid end to end between random bytes, in one file; the range of each. */
  async function zipsInOneFile(zips: Buffer[]): Promise<{ file: string; ranges: Array<{ offset: number; length: number }> }> {
    const parts: Buffer[] = [randomBytes(1000)];
    const ranges: Array<{ offset: number; length: number }> = [];
    let offset = 1000;
    for (const zip of zips) {
      ranges.push({ offset, length: zip.length });
      parts.push(zip, randomBytes(333));
      offset += zip.length + 333;
    }
    return { file: await saveZip(Buffer.concat(parts)), ranges };
  }

  test('is read from its range alone, exactly as the same bytes in a file of their own', async () => {
    const first = await zipBytes(validItems);
    const second = await zipBytes([{ name: `${P}go.mod`, content: 'module example.com/m\n' }, { name: `${P}big.go`, content: randomBytes(3 << 20), store: true }]);
    const { file, ranges } = await zipsInOneFile([first, second, first]);
    for (const [i, zip] of [first, second, first].entries()) {
      const alone = await inspectModuleZip(await saveZip(zip), mod);
      assert.deepEqual(await inspectModuleZip(file, mod, { range: ranges[i]! }), alone);
      assert.deepEqual(await inspectModuleZip(file, mod, { range: ranges[i]!, reads: 'blocking' }), alone);
    }
  });

  test('nothing after the range is read: a range one byte short has no end record', async () => {
    const zip = await zipBytes(validItems);
    const file = await saveZip(Buffer.concat([zip, zip]));
    await rejectsWithZipError(inspectModuleZip(file, mod, { range: { offset: 0, length: zip.length - 1 } }), file, undefined, /^not a valid zip file: no end of central directory record/);
  });

  test('nothing before the range is read: entries whose headers lie before it are refused', async () => {
    // The range holds the central directory and the end record; the entries' data lies before it.
    const zip = await zipBytes([{ name: `${P}go.mod`, content: GO_MOD }]);
    const central = locate(zip, `${P}go.mod`).central;
    const file = await saveZip(zip);
    await rejectsWithZipError(inspectModuleZip(file, mod, { range: { offset: central, length: zip.length - central } }), file, `${P}go.mod`, `corrupt entry: no local file header at offset -${central}`);
    assert.equal((await inspectModuleZip(file, mod)).files, 1);
  });

  test('a central directory said to start before the range is refused, though the file holds a zip there', async () => {
    const before = await zipBytes(validItems);
    const zip = await zipBytes([{ name: `${P}go.mod`, content: GO_MOD }]);
    // The end record's directory size now reaches back past the zip's start, into the zip before it.
    zip.writeUInt32LE(zip.readUInt32LE(zip.length - 22 + 12) + zip.length, zip.length - 22 + 12);
    const { file, ranges } = await zipsInOneFile([before, zip]);
    await rejectsWithZipError(inspectModuleZip(file, mod, { range: ranges[1]! }), file, undefined, 'not a valid zip file: the central directory lies outside the file');
  });

  test('a range past the end of the file is refused, naming the file', async () => {
    const zip = await zipBytes(validItems);
    const file = await saveZip(zip);
    await rejectsWithZipError(inspectModuleZip(file, mod, { range: { offset: 10, length: zip.length } }), file, undefined,
      `the file is ${zip.length} bytes, too short to hold the zip at bytes 10-${zip.length + 10}`);
  });

  test('a range that is not one is a programming error', async () => {
    const file = await writeZip(validItems);
    for (const range of [{ offset: -1, length: 10 }, { offset: 0, length: -1 }, { offset: 0.5, length: 10 }]) {
      await assert.rejects(inspectModuleZip(file, mod, { range }), RangeError);
    }
  });
});

describe('unreadable zips', () => {
  const readers: Array<[string, (file: string) => Promise<unknown>]> = [
    ['hashModuleZip', (file) => hashModuleZip(file)],
    ['inspectModuleZip', (file) => inspectModuleZip(file, mod)],
    ['inspectModuleZip with blocking reads', (file) => inspectModuleZip(file, mod, { reads: 'blocking' })],
  ];

  const corruptions: Array<[string, () => Promise<Buffer>, string | undefined, RegExp]> = [
    ['bytes that are not a zip', async () => randomBytes(4096), undefined, /^not a valid zip file: /],
    ['an empty file', async () => Buffer.alloc(0), undefined, /^not a valid zip file: /],
    ['a zip cut short at the end', async () => (await zipBytes(validItems)).subarray(0, -10), undefined, /^not a valid zip file: /],
    ['a zip cut in half', async () => {
      const bytes = await zipBytes(validItems);
      return bytes.subarray(0, bytes.length >> 1);
    }, undefined, /^not a valid zip file: /],
    ['stored content that fails its CRC-32', async () => {
      const bytes = await zipBytes([{ name: `${P}m.go`, content: 'package m // original\n', store: true }]);
      return replaceAll(bytes, 'original', 'tampered');
    }, `${P}m.go`, /^checksum error: content has CRC-32 [0-9a-f]{8}, the zip records [0-9a-f]{8}$/],
    ['deflated data that does not inflate', async () => {
      const bytes = await zipBytes([{ name: `${P}m.go`, content: 'package m\n'.repeat(50) }]);
      bytes[locate(bytes, `${P}m.go`).data] = 0xff;
      return bytes;
    }, `${P}m.go`, /^corrupt entry: /],
    ['an entry whose data runs past the end of the file', async () => {
      const bytes = await zipBytes([{ name: `${P}m.go`, content: 'package m\n'.repeat(50) }]);
      bytes.writeUInt32LE(1 << 30, locate(bytes, `${P}m.go`).central + 20);
      return bytes;
    }, `${P}m.go`, /^corrupt entry: /],
    ['a name that is not UTF-8', async () => {
      const bytes = await zipBytes([{ name: `${P}X.go`, content: 'x' }]);
      return replaceAll(bytes, `${P}X.go`, Buffer.concat([Buffer.from(P), Buffer.from([0xff]), Buffer.from('.go')]));
    }, `${P}\ufffd.go`, /^entry name is not valid UTF-8$/],
  ];

  for (const [what, make, entry, reason] of corruptions) {
    for (const [reader, read] of readers) {
      test(`${reader} of ${what} is a ModuleZipError naming the file`, async () => {
        const file = await saveZip(await make());
        await rejectsWithZipError(read(file), file, entry, reason);
      });
    }
  }

  for (const [reader, read] of readers) {
    test(`${reader} of a missing file says so`, async () => {
      const file = path.join(dir, 'no-such.zip');
      await rejectsWithZipError(read(file), file, undefined, 'no such file');
    });
  }

  test('the file is closed however reading ends', async () => {
    // Only this test's zips count: the runner and tsx open and close files of their own meanwhile.
    const openFiles = (): number => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${dir}${path.sep}`);
      } catch {
        return false;
      }
    }).length;
    const baseline = openFiles();
    const good = await writeZip(validItems);
    const colliding = await writeZip([{ name: `${P}a.go`, content: 'x'.repeat(100_000) }, { name: `${P}A.go` }, { name: `${P}b.go` }]);
    const crcBad = await saveZip(replaceAll(await zipBytes([{ name: `${P}m.go`, content: 'original', store: true }, { name: `${P}n.go` }]), 'original', 'tampered'));
    // Large enough to be read a block ahead while it is hashed; its last byte is damaged.
    const largeBytes = await zipBytes([{ name: `${P}large.bin`, content: randomBytes(10 << 20), store: true }]);
    const lastByte = locate(largeBytes, `${P}large.bin`).data + (10 << 20) - 1;
    largeBytes[lastByte] = (largeBytes[lastByte] ?? 0) ^ 1;
    const large = await saveZip(largeBytes);

    for (let i = 0; i < 20; i++) {
      for await (const entry of readZipEntries(good)) {
        await entry.open();
        break;
      }
      for await (const entry of readZipEntries(good)) {
        if (entry.name.endsWith('sub/x.go')) await entry.open();
      }
      await assert.rejects(inspectModuleZip(colliding, mod), ModuleZipError);
      await assert.rejects(hashModuleZip(crcBad), ModuleZipError);
      await inspectModuleZip(good, mod);
      await assert.rejects(inspectModuleZip(colliding, mod, { reads: 'blocking' }), ModuleZipError);
      await inspectModuleZip(good, mod, { reads: 'blocking' });
      await assert.rejects(inspectModuleZip(large, mod), /checksum error/);
      await assert.rejects(inspectModuleZip(large, mod, { reads: 'blocking' }), /checksum error/);
      for await (const entry of readZipEntries(large)) {
        for await (const chunk of await entry.open()) {
          void chunk;
          break;
        }
      }
    }

    // Closing is asynchronous: give the last closes a moment.
    for (let wait = 0; wait < 50 && openFiles() > baseline; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(openFiles(), baseline);
  });
});




describe('against the go command', () => {
  test('h1 of zips and go.mod files equals what go mod download records', { timeout: 180_000 }, async (t) => {
    if (!requireGo(t)) return;
    const workspace = await scratchGoWorkspace('modzip-h1');
    t.after(() => workspace.cleanup());
    const proxy = path.join(workspace.dir, 'proxy');
    const noGoMod = 'example.com/nogomod';
    const modules = [
      { path: mod.path, mod: GO_MOD, zip: await zipBytes(validItems) },
      { path: noGoMod, mod: `module ${noGoMod}\n`, zip: await zipBytes([{ name: `${noGoMod}@v1.0.0/a.go`, content: 'package a\n' }]) },
    ];
    await writeSingleVersionProxy(proxy, modules);

    const env = offlineGoEnv(pathToFileURL(proxy).href, workspace.modCache);
    const reports = await goModDownload(modules.map((m) => `${m.path}@v1.0.0`), workspace.dir, env);
    for (const m of modules) {
      const go = reports.find((r) => r.Path === m.path);
      assert.ok(go !== undefined && go.Error === undefined, `go mod download ${m.path}: ${go?.Error ?? 'no report'}`);
      const zipFile = path.join(proxy, m.path, '@v', 'v1.0.0.zip');
      assert.equal(await hashModuleZip(zipFile), go.Sum, `zip h1 of ${m.path}`);
      assert.equal(await hashGoModFile(path.join(proxy, m.path, '@v', 'v1.0.0.mod')), go.GoModSum, `go.mod h1 of ${m.path}`);
      const inspected = await inspectModuleZip(zipFile, { path: m.path, version: 'v1.0.0' }, { expectedGoMod: Buffer.from(m.mod) });
      assert.equal(inspected.h1, go.Sum, `validating pass h1 of ${m.path}`);
    }
  });

  test('zips the go command refuses are refused with the go command\'s reason, and still hash as Go hashes them', { timeout: 180_000 }, async (t) => {
    if (!requireGo(t)) return;
    const workspace = await scratchGoWorkspace('modzip-bad');
    t.after(() => workspace.cleanup());
    const proxy = path.join(workspace.dir, 'proxy');

    const cases: Array<[string, (prefix: string) => Promise<Buffer>]> = [
      ['collide', (p) => zipBytes([{ name: `${p}A.go`, content: 'upper' }, { name: `${p}a.go`, content: 'lower' }])],
      ['kelvin', (p) => zipBytes([{ name: `${p}k.go` }, { name: `${p}\u212a.go` }])],
      ['duplicate', (p) => zipBytes([{ name: `${p}a.go`, content: 'first' }, { name: `${p}b.go` }, { name: `${p}a.go`, content: 'second' }])],
      ['dotdot', async (p) => replaceAll(await zipBytes([{ name: `${p}@@/x.go` }]), '@@/x.go', '../x.go')],
      ['unclean', (p) => zipBytes([{ name: `${p}a/./x.go` }])],
      ['nested-gomod', (p) => zipBytes([{ name: `${p}sub/go.mod` }])],
      ['upper-gomod', (p) => zipBytes([{ name: `${p}GO.MOD` }])],
      ['file-and-dir', (p) => zipBytes([{ name: `${p}x` }, { name: `${p}x/y.go` }])],
      ['colon', (p) => zipBytes([{ name: `${p}a:b.go` }])],
      ['windows-name', (p) => zipBytes([{ name: `${p}sub/aux.go` }])],
      ['big-gomod', (p) => zipBytes([{ name: `${p}go.mod`, content: Buffer.alloc(MAX_GO_MOD_BYTES + 1, 0x20) }])],
    ];
    const modules = [];
    for (const [name, make] of cases) {
      const modPath = `example.com/bad/${name}`;
      modules.push({ path: modPath, mod: `module ${modPath}\n`, zip: await make(`${modPath}@v1.0.0/`) });
    }
    const crcPath = 'example.com/bad/crc';
    const crcZip = replaceAll(await zipBytes([{ name: `${crcPath}@v1.0.0/m.go`, content: 'original', store: true }]), 'original', 'tampered');
    await writeSingleVersionProxy(proxy, [...modules, { path: crcPath, mod: `module ${crcPath}\n`, zip: crcZip }]);

    const env = offlineGoEnv(pathToFileURL(proxy).href, workspace.modCache);
    const reports = await goModDownload([...modules, { path: crcPath }].map((m) => `${m.path}@v1.0.0`), workspace.dir, env);
    for (const m of modules) {
      const zipFile = path.join(proxy, m.path, '@v', 'v1.0.0.zip');
      const go = reports.find((r) => r.Path === m.path);
      assert.ok(go?.Error !== undefined, `go accepted ${m.path}`);
      // Go hashes the zip before it checks it.
      assert.equal(await hashModuleZip(zipFile), go.Sum, `zip h1 of ${m.path}`);
      await assert.rejects(inspectModuleZip(zipFile, { path: m.path, version: 'v1.0.0' }), (error: unknown) => {
        assert.ok(error instanceof ModuleZipError && error.entry !== undefined, String(error));
        const ours = formatModuleZipProblem({ entry: error.entry, reason: error.reason });
        // Go words size limits without the actual size.
        const comparable = ours.replace(/\(\d+ bytes; max size/, '(max size');
        assert.ok(go.Error!.includes(comparable), `${m.path}:\n  go:   ${go.Error}\n  ours: ${ours}`);
        return true;
      });
    }

    const goCrc = reports.find((r) => r.Path === crcPath);
    assert.match(goCrc?.Error ?? 'accepted', /checksum error/);
    const crcFile = path.join(proxy, crcPath, '@v', 'v1.0.0.zip');
    await rejectsWithZipError(hashModuleZip(crcFile), crcFile, `${crcPath}@v1.0.0/m.go`, /^checksum error: /);
  });
});
