import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DownloadCache, hashFile } from '../../electron/core/upstream/downloadCache';

const KEY = 'github.com/!burnt!sushi/toml/@v/v1.2.0.zip';

function sha256(bytes: string | Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function store(cache: DownloadCache, key: string, ...chunks: string[]) {
  const writer = await cache.beginWrite();
  for (const chunk of chunks) await writer.write(Buffer.from(chunk));
  return writer.commit(key);
}

describe('DownloadCache', () => {
  let dir: string;
  let cache: DownloadCache;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'modferry-cache-'));
    cache = new DownloadCache(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a committed download is a blob named by its SHA-256 plus an index entry for its key', async () => {
    const blob = await store(cache, KEY, 'hello ', 'world');
    assert.equal(blob.sha256, sha256('hello world'));
    assert.equal(blob.size, 11);
    assert.equal(blob.file, path.join(dir, 'blobs', 'sha256', blob.sha256));
    assert.equal(await readFile(blob.file, 'utf8'), 'hello world');
    const entry = JSON.parse(await readFile(path.join(dir, 'index', 'github.com', '!burnt!sushi', 'toml', '@v', 'v1.2.0.zip.json'), 'utf8'));
    assert.deepEqual(entry, { sha256: blob.sha256, size: 11 });
    assert.deepEqual(await readdir(path.join(dir, 'tmp')), [], 'no temp file is left behind');
    assert.deepEqual(await cache.lookup(KEY), blob);
  });

  test('a key never stored is a miss', async () => {
    assert.equal(await cache.lookup(KEY), undefined);
  });

  test('two keys with the same bytes share one blob', async () => {
    const a = await store(cache, 'example.com/a/@v/v1.0.0.mod', 'module x\n');
    const b = await store(cache, 'example.com/b/@v/v1.0.0.mod', 'module x\n');
    assert.equal(a.file, b.file);
    assert.deepEqual(await readdir(path.join(dir, 'blobs', 'sha256')), [a.sha256]);
  });

  test('a blob whose bytes no longer match its name is deleted with its entry, never returned', async () => {
    const blob = await store(cache, KEY, 'original bytes');
    await writeFile(blob.file, 'original bytez');
    assert.equal(await cache.lookup(KEY), undefined);
    await assert.rejects(stat(blob.file), { code: 'ENOENT' });
    assert.equal(await cache.lookup(KEY), undefined);
    const again = await store(cache, KEY, 'original bytes');
    assert.deepEqual(await cache.lookup(KEY), again);
  });

  test('a blob that went missing is a miss, and its entry is forgotten', async () => {
    const blob = await store(cache, KEY, 'bytes');
    await rm(blob.file);
    assert.equal(await cache.lookup(KEY), undefined);
    await assert.rejects(stat(path.join(dir, 'index', 'github.com', '!burnt!sushi', 'toml', '@v', 'v1.2.0.zip.json')), { code: 'ENOENT' });
  });

  test('a damaged index entry is a miss and is removed', async () => {
    const entryFile = path.join(dir, 'index', 'example.com', 'm', '@v', 'v1.0.0.mod.json');
    for (const text of ['not json', '{}', '{"sha256":"abc","size":1}', `{"sha256":"${'a'.repeat(64)}","size":-1}`, 'null']) {
      await mkdir(path.dirname(entryFile), { recursive: true });
      await writeFile(entryFile, text);
      assert.equal(await cache.lookup('example.com/m/@v/v1.0.0.mod'), undefined, text);
      await assert.rejects(stat(entryFile), { code: 'ENOENT' });
    }
  });

  test('an entry whose size disagrees with its blob is a miss', async () => {
    const blob = await store(cache, KEY, 'bytes');
    const entryFile = path.join(dir, 'index', 'github.com', '!burnt!sushi', 'toml', '@v', 'v1.2.0.zip.json');
    await writeFile(entryFile, JSON.stringify({ sha256: blob.sha256, size: 99 }));
    assert.equal(await cache.lookup(KEY), undefined);
    assert.equal(await readFile(blob.file, 'utf8'), 'bytes', 'a blob that matches its name is kept');
  });

  test('a discarded download leaves nothing behind', async () => {
    const writer = await cache.beginWrite();
    await writer.write(Buffer.from('partial'));
    await writer.discard();
    await writer.discard();
    assert.deepEqual(await readdir(path.join(dir, 'tmp')), []);
    assert.equal(await cache.lookup(KEY), undefined);
  });

  test('only immutable files are accepted: lists, @latest and version queries are refused', async () => {
    for (const key of [
      'example.com/m/@v/list',
      'example.com/m/@latest',
      'example.com/m/@v/master.info',
      'example.com/m/@v/v1.2.info',
      'example.com/m/@v/v1.2.0+meta.zip',
      'example.com/m/@v/v1.2.0.txt',
      'Example.com/m/@v/v1.2.0.zip',
      '../escape/@v/v1.0.0.zip',
      'example.com/../m/@v/v1.0.0.zip',
    ]) {
      const writer = await cache.beginWrite();
      await writer.write(Buffer.from('x'));
      await assert.rejects(writer.commit(key), /is not the \.info, \.mod or \.zip of an exact module version/, key);
      await writer.discard();
      await assert.rejects(cache.lookup(key), /is not the \.info, \.mod or \.zip/, key);
    }
    await store(cache, 'example.com/m/@v/v2.0.0+incompatible.zip', 'x');
    await store(cache, 'example.com/m/@v/v0.0.0-20240102030405-abcdefabcdef.info', 'x');
  });

  test('stale temp files from a crashed run are removed, fresh ones kept', async () => {
    await mkdir(path.join(dir, 'tmp'), { recursive: true });
    const stale = path.join(dir, 'tmp', 'stale.partial');
    const fresh = path.join(dir, 'tmp', 'fresh.partial');
    await writeFile(stale, 'x');
    await writeFile(fresh, 'y');
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    await utimes(stale, twoDaysAgo, twoDaysAgo);
    await cache.removeStaleTempFiles();
    assert.deepEqual(await readdir(path.join(dir, 'tmp')), ['fresh.partial']);
  });

  test('a cache directory that does not exist yet is created on first write', async () => {
    const nested = new DownloadCache(path.join(dir, 'a', 'b'));
    assert.equal(await nested.lookup(KEY), undefined);
    await nested.removeStaleTempFiles();
    assert.equal((await store(nested, KEY, 'z')).size, 1);
  });
});

describe('hashFile', () => {
  test('streams a file to its SHA-256 and size; a missing file is undefined', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'modferry-hash-'));
    try {
      const file = path.join(dir, 'f');
      const bytes = Buffer.alloc(200_000, 7);
      await writeFile(file, bytes);
      assert.deepEqual(await hashFile(file), { sha256: sha256(bytes), size: bytes.length });
      assert.equal(await hashFile(path.join(dir, 'absent')), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
