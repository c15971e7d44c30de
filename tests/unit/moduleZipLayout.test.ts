import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import yazl from 'yazl';
import { h1Of, hashModuleZip } from '../../electron/core/modzip/hashModuleZip';
import { inspectModuleZip } from '../../electron/core/modzip/inspectModuleZip';
import { rejectsWithZipError } from '../support/moduleZipAssertions';
import { readZipEntries } from '../../electron/core/modzip/readZipEntries';
import { goModDownload, offlineGoEnv, requireGo, scratchGoWorkspace } from '../support/goCommand';
import { writeSingleVersionProxy } from '../support/goproxyTree';

/**
 * Zips laid out other than a zip writer usually lays them out, entries large enough to be
 * streamed or inflated off the main thread, and the faults only such layouts can have.
 */

interface ZipItem {
  name: string;
  content?: string | Buffer;
  directory?: boolean;
  /** Stored without compression. */
  store?: boolean;
  /** Written from a stream, so its CRC-32 and sizes follow the data in a data descriptor. */
  descriptor?: boolean;
}

const fixedTime = new Date('2023-01-01T00:00:00Z');
const mod = { path: 'example.com/m', version: 'v1.0.0' };
const P = 'example.com/m@v1.0.0/';
const KiB = 1024;
const MiB = 1024 * KiB;

let dir: string;
let counter = 0;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modferry-modzip-layout-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function zipBytes(items: ZipItem[], options: { zip64?: boolean } = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const forceZip64Format = options.zip64 === true;
  for (const item of items) {
    const entryOptions = { mtime: fixedTime, compress: item.store !== true, forceZip64Format };
    if (item.directory === true) zip.addEmptyDirectory(item.name, { mtime: fixedTime });
    else if (item.descriptor === true) zip.addReadStream(Readable.from([Buffer.from(item.content ?? '')]), item.name, entryOptions);
    else zip.addBuffer(Buffer.from(item.content ?? ''), item.name, entryOptions);
  }
  zip.end({ forceZip64Format, comment: '' });
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function saveZip(bytes: Buffer): Promise<string> {
  const file = path.join(dir, `z${++counter}.zip`);
  await writeFile(file, bytes);
  return file;
}

const sha256Hex = (content: string | Buffer): string => createHash('sha256').update(content).digest('hex');
const h1OfItems = (items: ZipItem[]): string => h1Of(items.map((item) => ({ name: item.name, sha256Hex: sha256Hex(item.content ?? '') })));


/** The parts of a zip as yazl writes it (no comment). */
interface ZipParts {
  /** Local header, data and any data descriptor of each entry, in central-directory order. */
  locals: Buffer[];
  centrals: Buffer[];
  /** Everything after the central directory: the end records. */
  end: Buffer;
}

function zipParts(bytes: Buffer): ZipParts {
  const endAt = bytes.length - 22;
  assert.equal(bytes.readUInt32LE(endAt), 0x06054b50);
  let centralStart = bytes.readUInt32LE(endAt + 16);
  let centralEnd = endAt;
  if (centralStart === 0xffffffff) {
    centralEnd = Number(bytes.readBigUInt64LE(endAt - 20 + 8));
    centralStart = Number(bytes.readBigUInt64LE(centralEnd + 48));
  }
  const centrals: Buffer[] = [];
  for (let at = centralStart; at < centralEnd; ) {
    const length = 46 + bytes.readUInt16LE(at + 28) + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
    centrals.push(bytes.subarray(at, at + length));
    at += length;
  }
  const starts = centrals.map((central) => central.readUInt32LE(42));
  const ends = starts.map((start) => Math.min(...[...starts, centralStart].filter((other) => other > start)));
  return { locals: starts.map((start, i) => bytes.subarray(start, ends[i])), centrals, end: bytes.subarray(centralEnd) };
}

interface Layout {
  /** Which entry's local record comes first, second…, by central-directory position. */
  dataOrder?: number[];
  centralOrder?: number[];
  /** Unused bytes after every local record. */
  gap?: number;
  /** Bytes before the zip proper, which its offsets do not count (a self-extracting stub). */
  prefix?: number;
  /** Bytes of an unknown extra field added to every local header, not to the central records. */
  localExtra?: number;
}

function relayout(bytes: Buffer, layout: Layout): Buffer {
  const { locals, centrals, end } = zipParts(bytes);
  const indexes = [...locals.keys()];
  const out: Buffer[] = [Buffer.alloc(layout.prefix ?? 0, 0x23)];
  const offsets: number[] = [];
  let at = 0;
  for (const i of layout.dataOrder ?? indexes) {
    const local = withLocalExtra(locals[i]!, layout.localExtra ?? 0);
    offsets[i] = at;
    out.push(local, Buffer.alloc(layout.gap ?? 0, 0x5a));
    at += local.length + (layout.gap ?? 0);
  }
  const centralStart = at;
  for (const i of layout.centralOrder ?? indexes) {
    const central = Buffer.from(centrals[i]!);
    central.writeUInt32LE(offsets[i]!, 42);
    out.push(central);
    at += central.length;
  }
  const newEnd = Buffer.from(end);
  newEnd.writeUInt32LE(at - centralStart, 12);
  newEnd.writeUInt32LE(centralStart, 16);
  out.push(newEnd);
  return Buffer.concat(out);
}

function withLocalExtra(local: Buffer, extraBytes: number): Buffer {
  if (extraBytes === 0) return local;
  const headerEnd = 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const field = Buffer.alloc(extraBytes);
  field.writeUInt16LE(0xcafe, 0);
  field.writeUInt16LE(extraBytes - 4, 2);
  const header = Buffer.from(local.subarray(0, headerEnd));
  header.writeUInt16LE(local.readUInt16LE(28) + extraBytes, 28);
  return Buffer.concat([header, field, local.subarray(headerEnd)]);
}

/** Patches a central record field of the entry at `index` in central-directory order. */
function patchCentral(bytes: Buffer, index: number, patch: (central: Buffer) => void): Buffer {
  const out = Buffer.from(bytes);
  const { centrals } = zipParts(out);
  patch(centrals[index]!);
  return out;
}

function moduleItems(prefix: string): ZipItem[] {
  return [
    { name: prefix, directory: true },
    { name: `${prefix}go.mod`, content: `module ${prefix.slice(0, prefix.indexOf('@'))}\n` },
    { name: `${prefix}a.go`, content: 'package a\n' },
    { name: `${prefix}b.go`, content: 'package a // stored\n', store: true },
    { name: `${prefix}sub/`, directory: true },
    { name: `${prefix}sub/c.go`, content: 'package sub\n'.repeat(200) },
    { name: `${prefix}LICENSE`, content: 'MIT\n', descriptor: true },
    { name: `${prefix}empty.txt`, content: '' },
  ];
}

/** Layouts the go command reads, each turning a module's items into zip bytes. */
const acceptedLayouts: Array<[string, (items: ZipItem[]) => Promise<Buffer>]> = [
  ['data in the reverse order of the central directory', async (items) => relayout(await zipBytes(items), { dataOrder: [...items.keys()].reverse() })],
  ['a central directory in shuffled order', async (items) => relayout(await zipBytes(items), { centralOrder: [3, 0, 6, 1, 7, 5, 2, 4] })],
  ['gaps between entries', async (items) => relayout(await zipBytes(items), { gap: 37 })],
  ['bytes before the zip proper', async (items) => relayout(await zipBytes(items), { prefix: 1000 })],
  ['local headers with extra fields the central directory does not have', async (items) => relayout(await zipBytes(items), { localExtra: 24 })],
  ['zip64 records throughout', (items) => zipBytes(items, { zip64: true })],
  ['a data descriptor after every entry', (items) => zipBytes(items.map((item) => ({ ...item, descriptor: item.directory !== true })))],
];

describe('zip layouts the go command reads', () => {
  for (const [what, layout] of acceptedLayouts) {
    test(`${what}: hashed and inspected as the entries say`, async () => {
      const items = moduleItems(P);
      const file = await saveZip(await layout(items));
      assert.equal(await hashModuleZip(file), h1OfItems(items));
      const goMod = Buffer.from(items[1]!.content as string);
      const inspected = await inspectModuleZip(file, mod, { expectedGoMod: goMod });
      assert.equal(inspected.h1, h1OfItems(items));
      assert.deepEqual(inspected.goMod, goMod);
      assert.equal(inspected.files, items.filter((item) => item.directory !== true).length);
      const contents = new Map<string, string>();
      for await (const entry of readZipEntries(file)) {
        const chunks: Buffer[] = [];
        for await (const chunk of (await entry.open()) as AsyncIterable<Buffer>) chunks.push(chunk);
        contents.set(entry.name, Buffer.concat(chunks).toString());
      }
      assert.deepEqual(contents, new Map(items.map((item) => [item.name, String(item.content ?? '')])));
    });
  }

  test('an empty zip has the hash of an empty tree', async () => {
    const file = await saveZip(await zipBytes([]));
    assert.equal(await hashModuleZip(file), h1Of([]));
    assert.deepEqual(await inspectModuleZip(file, mod), { h1: h1Of([]), files: 0, bytes: 0 });
  });

  test('listing problems are found in central-directory order, wherever the data lies', async () => {
    const items = [{ name: `${P}a.go`, content: 'a' }, { name: `${P}b.go`, content: 'b' }, { name: `${P}A.go`, content: 'c' }];
    const file = await saveZip(relayout(await zipBytes(items), { dataOrder: [2, 1, 0], centralOrder: [2, 1, 0] }));
    await rejectsWithZipError(inspectModuleZip(file, mod), file, `${P}a.go`, 'case-insensitive file name collision: "A.go" and "a.go"');
  });

  test('a name listed twice is hashed with the content listed last, wherever the data lies', async () => {
    const items = [{ name: `${P}a.go`, content: 'first' }, { name: `${P}a.go`, content: 'second' }];
    const file = await saveZip(relayout(await zipBytes(items), { dataOrder: [1, 0] }));
    assert.equal(await hashModuleZip(file), h1Of([{ name: `${P}a.go`, sha256Hex: sha256Hex('second') }, { name: `${P}a.go`, sha256Hex: sha256Hex('second') }]));
  });
});

describe('layouts that cannot be read', () => {
  const readers: Array<[string, (file: string) => Promise<unknown>]> = [
    ['hashModuleZip', (file) => hashModuleZip(file)],
    ['inspectModuleZip', (file) => inspectModuleZip(file, mod)],
  ];
  const items: ZipItem[] = [{ name: `${P}a.go`, content: 'package a\n'.repeat(20) }, { name: `${P}b.go`, content: 'package a\n' }];

  const faults: Array<[string, () => Promise<Buffer>, string | undefined, string | RegExp]> = [
    ['two entries sharing their data', async () => patchCentral(await zipBytes(items), 1, (central) => central.writeUInt32LE(0, 42)),
      `${P}b.go`, `corrupt entry: it overlaps the data of "${P}a.go"`],
    ['an entry starting inside another entry', async () => patchCentral(await zipBytes(items), 1, (central) => central.writeUInt32LE(60, 42)),
      `${P}b.go`, `corrupt entry: it overlaps the data of "${P}a.go"`],
    ['an entry whose local header is not where the central directory says', async () => {
      const bytes = relayout(await zipBytes(items), { gap: 40 });
      return patchCentral(bytes, 1, (central) => central.writeUInt32LE(central.readUInt32LE(42) - 35, 42));
    }, `${P}b.go`, /^corrupt entry: no local file header at offset \d+$/],
    ['an end record counting more entries than the directory holds', async () => {
      const bytes = await zipBytes(items);
      bytes.writeUInt16LE(3, bytes.length - 22 + 8);
      bytes.writeUInt16LE(3, bytes.length - 22 + 10);
      return bytes;
    }, undefined, 'not a valid zip file: the central directory holds 2 entries where its end record says 3'],
    ['a compression method Go does not know', async () => patchCentral(await zipBytes(items), 0, (central) => central.writeUInt16LE(12, 10)),
      `${P}a.go`, 'corrupt entry: unsupported compression method 12'],
    ['an encrypted entry', async () => patchCentral(await zipBytes(items), 0, (central) => central.writeUInt16LE(central.readUInt16LE(8) | 1, 8)),
      `${P}a.go`, 'corrupt entry: the entry is encrypted'],
    ['a data descriptor whose CRC-32 differs from the central directory\'s', async () => {
      const bytes = await zipBytes([{ name: `${P}a.go`, content: 'package a\n', descriptor: true }]);
      const { locals } = zipParts(bytes);
      const descriptor = locals[0]!.subarray(-16);
      assert.equal(descriptor.readUInt32LE(0), 0x08074b50);
      descriptor.writeUInt32LE((descriptor.readUInt32LE(4) ^ 1) >>> 0, 4);
      return bytes;
    }, `${P}a.go`, /^checksum error: the data descriptor records CRC-32 [0-9a-f]{8}, the central directory [0-9a-f]{8}$/],
    ['a zip64 extra field without the offset it stands for', async () => {
      const bytes = await zipBytes(items, { zip64: true });
      return patchCentral(bytes, 0, (central) => {
        let fieldAt = 46 + central.readUInt16LE(28);
        while (central.readUInt16LE(fieldAt) !== 0x0001) fieldAt += 4 + central.readUInt16LE(fieldAt + 2);
        assert.equal(central.readUInt16LE(fieldAt + 2), 24);
        // Keep the field's length in the extra data, so the offset's bytes no longer belong to it.
        central.writeUInt16LE(16, fieldAt + 2);
      });
    }, `${P}a.go`, 'corrupt entry: its zip64 extra field lacks the local header offset'],
  ];

  for (const [what, make, entry, reason] of faults) {
    for (const [reader, read] of readers) {
      test(`${reader} refuses ${what}`, async () => {
        const file = await saveZip(await make());
        await rejectsWithZipError(read(file), file, entry, reason);
      });
    }
  }
});

describe('large entries', () => {
  // Bytes that deflate poorly, so compressed sizes stay close to the content's.
  const noise = (bytes: number, seed: number): Buffer => {
    const out = Buffer.alloc(bytes);
    let x = seed;
    for (let i = 0; i < bytes; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      out[i] = x >>> 24;
    }
    return out;
  };
  const marked = (content: Buffer, marker: string): Buffer => Buffer.concat([content, Buffer.from(marker)]);
  const sizes: Array<[string, number]> = [['inflated in one call', 100 * KiB], ['streamed', 9 * MiB]];

  for (const [how, size] of sizes) {
    test(`entries ${how} are hashed, stored or deflated`, async () => {
      const items = [
        { name: `${P}deflated.bin`, content: Buffer.concat([noise(size, 1), Buffer.alloc(size, 0x20)]) },
        { name: `${P}stored.bin`, content: noise(size, 2), store: true },
        { name: `${P}small.go`, content: 'package m\n' },
      ];
      const file = await saveZip(await zipBytes(items));
      assert.equal(await hashModuleZip(file), h1OfItems(items));
      assert.equal((await inspectModuleZip(file, mod)).h1, h1OfItems(items));
    });

    test(`a go.mod ${how} is kept whole`, async () => {
      const goMod = Buffer.concat([Buffer.from('module example.com/m\n'), Buffer.alloc(size, 0x0a)]);
      const file = await saveZip(await zipBytes([{ name: `${P}go.mod`, content: goMod }, { name: `${P}m.go`, content: 'package m\n' }]));
      assert.deepEqual((await inspectModuleZip(file, mod, { expectedGoMod: goMod })).goMod, goMod);
    });

    test(`content ${how} that fails its CRC-32 is refused, naming the entry`, async () => {
      const bytes = await zipBytes([{ name: `${P}big.bin`, content: marked(noise(size, 3), 'original'), store: true }]);
      const file = await saveZip(Buffer.from(bytes.toString('latin1').replace('original', 'tampered'), 'latin1'));
      await rejectsWithZipError(hashModuleZip(file), file, `${P}big.bin`, /^checksum error: content has CRC-32 [0-9a-f]{8}, the zip records [0-9a-f]{8}$/);
    });

    test(`content ${how} larger or smaller than declared is refused`, async () => {
      const bytes = await zipBytes([{ name: `${P}big.bin`, content: noise(size, 4) }]);
      for (const [declared, reason] of [
        [size - 1, `corrupt entry: content is larger than the ${size - 1} bytes the zip declares`],
        [size + 1, `corrupt entry: content is ${size} bytes where the zip declares ${size + 1}`],
      ] as const) {
        const file = await saveZip(patchCentral(bytes, 0, (central) => central.writeUInt32LE(declared, 24)));
        await rejectsWithZipError(hashModuleZip(file), file, `${P}big.bin`, reason);
      }
    });
  }

  test('of several faulty entries, the first in the file is reported', async () => {
    const items = [
      { name: `${P}big.bin`, content: marked(noise(200 * KiB, 5), 'original'), store: true },
      { name: `${P}small.go`, content: 'package m // original\n', store: true },
    ];
    const tampered = (bytes: Buffer): Buffer => Buffer.from(bytes.toString('latin1').replaceAll('original', 'tampered'), 'latin1');
    const bigFirst = await saveZip(tampered(await zipBytes(items)));
    await rejectsWithZipError(hashModuleZip(bigFirst), bigFirst, `${P}big.bin`, /^checksum error: /);
    const smallFirst = await saveZip(tampered(relayout(await zipBytes(items), { dataOrder: [1, 0] })));
    await rejectsWithZipError(hashModuleZip(smallFirst), smallFirst, `${P}small.go`, /^checksum error: /);
  });

  test('a 100 MiB entry is hashed without being held in memory', async () => {
    const content = Buffer.alloc(100 * MiB, 0x61);
    const expected = h1OfItems([{ name: `${P}big.txt`, content }]);
    const file = await saveZip(await zipBytes([{ name: `${P}big.txt`, content }]));
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }, 1);
    try {
      assert.equal(await hashModuleZip(file), expected);
    } finally {
      clearInterval(sampler);
    }
    // Buffers not yet collected count too: the bound leaves room for those, not for the entry.
    assert.ok(peak - before < 64 * MiB, `buffers grew by ${((peak - before) / MiB).toFixed(1)} MiB`);
  });
});




describe('against the go command', () => {
  test('every accepted layout is accepted by go mod download with the same h1; a bad data descriptor is refused by both', { timeout: 180_000 }, async (t) => {
    if (!requireGo(t)) return;
    const workspace = await scratchGoWorkspace('modzip-layout');
    t.after(() => workspace.cleanup());
    const proxy = path.join(workspace.dir, 'proxy');
    const modules = await Promise.all(acceptedLayouts.map(async ([, layout], i) => {
      const modPath = `example.com/layout/l${i}`;
      const items = moduleItems(`${modPath}@v1.0.0/`);
      return { path: modPath, mod: String(items[1]!.content), zip: await layout(items) };
    }));
    const descriptorPath = 'example.com/layout/baddescriptor';
    const descriptorZip = await zipBytes([{ name: `${descriptorPath}@v1.0.0/a.go`, content: 'package a\n', descriptor: true }]);
    const descriptor = zipParts(descriptorZip).locals[0]!.subarray(-16);
    descriptor.writeUInt32LE((descriptor.readUInt32LE(4) ^ 1) >>> 0, 4);
    await writeSingleVersionProxy(proxy, [...modules, { path: descriptorPath, mod: `module ${descriptorPath}\n`, zip: descriptorZip }]);

    const env = offlineGoEnv(pathToFileURL(proxy).href, workspace.modCache);
    const reports = await goModDownload([...modules.map((m) => m.path), descriptorPath].map((p) => `${p}@v1.0.0`), workspace.dir, env);
    for (const [i, m] of modules.entries()) {
      const go = reports.find((r) => r.Path === m.path);
      assert.ok(go !== undefined && go.Error === undefined, `go mod download of ${acceptedLayouts[i]![0]}: ${go?.Error ?? 'no report'}`);
      const zipFile = path.join(proxy, m.path, '@v', 'v1.0.0.zip');
      assert.equal(await hashModuleZip(zipFile), go.Sum, acceptedLayouts[i]![0]);
      assert.equal((await inspectModuleZip(zipFile, { path: m.path, version: 'v1.0.0' }, { expectedGoMod: Buffer.from(m.mod) })).h1, go.Sum);
    }
    const goDescriptor = reports.find((r) => r.Path === descriptorPath);
    assert.match(goDescriptor?.Error ?? 'accepted', /checksum error/);
    const descriptorFile = path.join(proxy, descriptorPath, '@v', 'v1.0.0.zip');
    await rejectsWithZipError(hashModuleZip(descriptorFile), descriptorFile, `${descriptorPath}@v1.0.0/a.go`, /^checksum error: /);
  });
});
