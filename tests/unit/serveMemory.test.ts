import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BoundedMap } from '../../electron/core/serve/boundedMap';
import { servedFile, setModified } from '../../electron/core/serve/servedFile';
import { SmallFileCache } from '../../electron/core/serve/smallFileCache';
import { StoreFileDamagedError } from '../../electron/core/serve/storeFileChecks';
import type { StoredFile } from '../../electron/core/store/store';
import { makeTempDir, sha256Hex } from '../support/bundleSources';

let dir: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ dir, cleanup } = await makeTempDir('serve-memory'));
});

after(async () => {
  await cleanup();
});

/** A real file on disk, described as the store's catalog would describe it. */
async function storedFile(name: string, content: Buffer): Promise<StoredFile> {
  const file = path.join(dir, name);
  await writeFile(file, content);
  return { file, size: content.length, sha256: sha256Hex(content) };
}

describe('SmallFileCache', () => {
  test('admits files up to its size limit and no larger', async () => {
    const cache = new SmallFileCache({ maxFileBytes: 10, maxTotalBytes: 100 });
    assert.equal(cache.admits(await storedFile('ten', Buffer.alloc(10, 1))), true);
    assert.equal(cache.admits(await storedFile('eleven', Buffer.alloc(11, 1))), false);
  });

  test('admits a .mod-sized file at once, a zip-sized one from its second request', async () => {
    const cache = new SmallFileCache();
    const small = await storedFile('small', Buffer.alloc(64 * 1024, 2));
    const zip = await storedFile('zip', Buffer.alloc(64 * 1024 + 1, 3));
    assert.equal(cache.admits(small), true);
    assert.equal(cache.admits(zip), false, 'asked once: streamed');
    assert.equal(cache.admits(zip), true, 'asked again: from memory');
    await cache.load(zip);
    assert.equal(cache.admits(zip), true);
    assert.equal(cache.admits(await storedFile('too-big', Buffer.alloc(2 * 1024 * 1024 + 1, 4))), false);
  });

  test('holds nothing until loaded, then answers from memory', async () => {
    const cache = new SmallFileCache();
    const stored = await storedFile('mod', Buffer.from('module example.com/a\n'));
    assert.equal(cache.peek(stored), undefined);
    const loaded = await cache.load(stored);
    assert.equal(loaded?.toString(), 'module example.com/a\n');
    await writeFile(stored.file, 'changed on disk after it was loaded\n');
    assert.equal(cache.peek(stored), loaded, 'the kept bytes are answered, without reading the disk');
  });

  test('clients asking at once for a file not yet in memory share one read', async () => {
    const cache = new SmallFileCache();
    const stored = await storedFile('shared', Buffer.alloc(1000, 7));
    const reads = [cache.load(stored), cache.load(stored), cache.load(stored)];
    assert.equal(reads[0], reads[1]);
    assert.equal(reads[1], reads[2]);
    const [first, second] = await Promise.all(reads);
    assert.equal(first, second);
  });

  test('a file whose size on disk is not the recorded one is not kept', async () => {
    const cache = new SmallFileCache();
    const stored = await storedFile('truncated', Buffer.from('module example.com/b\n'));
    await writeFile(stored.file, 'mod');
    assert.equal(await cache.load(stored), undefined);
    assert.equal(cache.peek(stored), undefined);
  });

  test('a file of the recorded size but other bytes is refused, never kept', async () => {
    const cache = new SmallFileCache();
    const stored = await storedFile('flipped', Buffer.from('module example.com/c\n'));
    await writeFile(stored.file, 'module eXample.com/c\n');
    await assert.rejects(cache.load(stored), (error: unknown) => {
      assert.ok(error instanceof StoreFileDamagedError);
      assert.equal(error.file, stored.file);
      assert.equal(error.expectedSha256, stored.sha256);
      assert.equal(error.actualSha256, sha256Hex('module eXample.com/c\n'));
      return true;
    });
    assert.equal(cache.peek(stored), undefined);
  });

  test('two files of the same content are checked each on its own: a damaged one does not fail the good one', async () => {
    const cache = new SmallFileCache();
    const content = Buffer.from('module example.com/same\n');
    const good = await storedFile('same-good', content);
    const damaged = await storedFile('same-damaged', content);
    await writeFile(damaged.file, 'module eXample.com/same\n');
    const [fromGood, fromDamaged] = await Promise.allSettled([cache.load(good), cache.load(damaged)]);
    assert.deepEqual(fromGood, { status: 'fulfilled', value: content });
    assert.equal(fromDamaged.status, 'rejected');
    assert.ok(fromDamaged.status === 'rejected' && fromDamaged.reason instanceof StoreFileDamagedError);
  });

  test('a missing file rejects and is not remembered as loading', async () => {
    const cache = new SmallFileCache();
    const stored: StoredFile = { file: path.join(dir, 'absent'), size: 3, sha256: sha256Hex('abc') };
    await assert.rejects(cache.load(stored), { code: 'ENOENT' });
    await writeFile(stored.file, 'abc');
    assert.equal((await cache.load(stored))?.toString(), 'abc', 'a later request reads the file again');
  });

  test('over its byte budget, the least recently used files go first', async () => {
    const cache = new SmallFileCache({ maxFileBytes: 40, maxTotalBytes: 100 });
    const files = await Promise.all(['a', 'b', 'c'].map((name, i) => storedFile(`lru-${name}`, Buffer.alloc(40, i))));
    const [a, b, c] = files as [StoredFile, StoredFile, StoredFile];
    await cache.load(a);
    await cache.load(b);
    assert.ok(cache.peek(a), 'a is used again, so b is now the oldest');
    await cache.load(c);
    assert.ok(cache.peek(a));
    assert.equal(cache.peek(b), undefined);
    assert.ok(cache.peek(c));
  });
});

describe('servedFile', () => {
  test('builds the headers of a store file once: type, length, quoted sha256 ETag, caching, ranges, nosniff', () => {
    const sha256 = 'ab'.repeat(32);
    const served = servedFile({ file: '/store/tree/x.zip', size: 1234, sha256 }, 'application/zip');
    assert.equal(served.etag, `"${sha256}"`);
    assert.deepEqual(served.headers, [
      'Content-Type', 'application/zip',
      'Content-Length', '1234',
      'ETag', `"${sha256}"`,
      'Cache-Control', 'public, max-age=31536000, immutable',
      'Accept-Ranges', 'bytes',
      'X-Content-Type-Options', 'nosniff',
    ]);
  });

  test('adds Last-Modified once the modification time is known, in whole seconds, as new headers', () => {
    const served = servedFile({ file: '/store/tree/x.mod', size: 10, sha256: 'cd'.repeat(32) }, 'text/plain', 'public, max-age=60');
    const before = served.headers;
    const lastModified = setModified(served, Date.parse('2024-05-06T07:08:09.750Z'));
    assert.deepEqual(lastModified, { seconds: Date.parse('2024-05-06T07:08:09Z') / 1000, text: 'Mon, 06 May 2024 07:08:09 GMT' });
    assert.deepEqual(served.headers.slice(-2), ['Last-Modified', 'Mon, 06 May 2024 07:08:09 GMT']);
    assert.ok(served.headers.includes('public, max-age=60'));
    assert.notEqual(served.headers, before, 'answers already holding the old list keep it whole');
    assert.equal(before.includes('Last-Modified'), false);
  });
});

describe('BoundedMap', () => {
  test('holds at most its limit, dropping the oldest entry first', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    assert.equal(map.size, 2);
    assert.equal(map.get('a'), undefined);
    assert.equal(map.get('b'), 2);
    assert.equal(map.get('c'), 3);
  });

  test('setting a key again makes it the newest', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 10);
    map.set('c', 3);
    assert.equal(map.get('a'), 10);
    assert.equal(map.get('b'), undefined);
  });
});
