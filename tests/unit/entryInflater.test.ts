import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { EntryInflater } from '../../electron/core/modzip/entryInflater';

const text = (bytes: number, seed: string): Buffer => Buffer.from(`${seed} `.repeat(Math.ceil(bytes / (seed.length + 1)))).subarray(0, bytes);

describe('EntryInflater', () => {
  test('inflates entries of any size one after another, each exactly', () => {
    const inflater = new EntryInflater();
    const contents = [text(3 * 1024 * 1024, 'large'), text(10, 'small'), Buffer.alloc(0), randomBytes(70_000), text(100_000, 'medium')];
    for (const content of contents) {
      assert.ok(inflater.inflate(deflateRawSync(content), content.length).equals(content));
    }
  });

  test('a content larger than declared comes back one byte longer than declared, not inflated further', () => {
    const content = text(50_000, 'more');
    const inflated = new EntryInflater().inflate(deflateRawSync(content), 1000);
    assert.equal(inflated.length, 1001);
    assert.ok(inflated.equals(content.subarray(0, 1001)));
  });

  test('a content smaller than declared comes back as it is', () => {
    const content = text(500, 'less');
    assert.ok(new EntryInflater().inflate(deflateRawSync(content), 600).equals(content));
  });

  test('a corrupt or cut stream throws zlib\'s error, and the next entry inflates as before', () => {
    const inflater = new EntryInflater();
    const content = text(20_000, 'after');
    const deflated = deflateRawSync(content);
    const corrupt = Buffer.from(deflated);
    // Block type 3 does not exist.
    corrupt[0] = 0x07;
    assert.throws(() => inflater.inflate(corrupt, content.length), (error: NodeJS.ErrnoException) => error.code === 'Z_DATA_ERROR');
    assert.ok(inflater.inflate(deflated, content.length).equals(content));
    assert.throws(() => inflater.inflate(deflated.subarray(0, deflated.length >> 1), content.length), /unexpected end of file/);
    assert.ok(inflater.inflate(deflated, content.length).equals(content));
  });
});
