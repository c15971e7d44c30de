import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { compareUtf8, formatH1, hash1Summary, isH1Hash } from '../../shared/gomod/hash1';

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
const h1OfSummary = (summary: string): string => formatH1(createHash('sha256').update(summary, 'utf8').digest());

describe('hash1Summary', () => {
  test('one line per file: hex digest, two spaces, name, newline', () => {
    const files = [
      { name: 'example.com/m@v1.0.0/go.mod', sha256Hex: sha256Hex('module example.com/m\n') },
      { name: 'example.com/m@v1.0.0/m.go', sha256Hex: sha256Hex('package m\n') },
    ];
    assert.equal(
      hash1Summary(files),
      `${sha256Hex('module example.com/m\n')}  example.com/m@v1.0.0/go.mod\n${sha256Hex('package m\n')}  example.com/m@v1.0.0/m.go\n`,
    );
  });

  test('an empty tree has an empty summary', () => {
    assert.equal(hash1Summary([]), '');
  });

  test('reproduces the go command\'s hash of an empty go.mod (emptyGoModHash in cmd/go/internal/modfetch)', () => {
    assert.equal(h1OfSummary(hash1Summary([{ name: 'go.mod', sha256Hex: sha256Hex('') }])), 'h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=');
  });

  test('sorts names by UTF-8 bytes as Go does, not by UTF-16 code units', () => {
    const digest = sha256Hex('x');
    // U+FF76 sorts before U+1D49C in UTF-8 (and in Go) but after it in UTF-16; upper case before lower.
    const names = ['m/𝒜.go', 'm/ｶ.go', 'm/b.go', 'm/Z.go', 'm/a.go', 'm/a', 'm/a/b', 'm/a.go/x', 'm/é.go'];
    const lines = hash1Summary(names.map((name) => ({ name, sha256Hex: digest }))).trimEnd().split('\n');
    assert.deepEqual(lines.map((line) => line.slice(66)), ['m/Z.go', 'm/a', 'm/a.go', 'm/a.go/x', 'm/a/b', 'm/b.go', 'm/é.go', 'm/ｶ.go', 'm/𝒜.go']);
  });

  test('the input order does not matter', () => {
    const files = ['c', 'a', 'b'].map((name) => ({ name, sha256Hex: sha256Hex(name) }));
    assert.equal(hash1Summary(files), hash1Summary([...files].reverse()));
  });

  test('a name listed twice appears twice, as in Go', () => {
    const digest = sha256Hex('x');
    assert.equal(hash1Summary([{ name: 'a', sha256Hex: digest }, { name: 'a', sha256Hex: digest }]), `${digest}  a\n${digest}  a\n`);
  });

  test('a name with a newline is refused: it would forge a summary line', () => {
    assert.throws(() => hash1Summary([{ name: 'a\nb', sha256Hex: sha256Hex('') }]), /h1 cannot hash file name "a\\nb": it contains a newline/);
  });

  for (const bad of ['', 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855', 'e3b0', `${sha256Hex('')}0`, 'z'.repeat(64)]) {
    test(`a digest that is not lower-case hex SHA-256 (${JSON.stringify(bad.slice(0, 12))}) is refused`, () => {
      assert.throws(() => hash1Summary([{ name: 'f', sha256Hex: bad }]), /h1 needs a lower-case hex SHA-256 for "f"/);
    });
  }
});

describe('compareUtf8', () => {
  test('agrees with a byte comparison of the UTF-8 encodings', () => {
    const alphabet = ['a', 'B', '~', '\u00e9', '\u0800', '\ud7ff', '\ue000', '\uff76', '\uffff', '\u{10000}', '\u{1d49c}', '\u{10ffff}'];
    const random = (): string => Array.from({ length: 1 + Math.floor(Math.random() * 4) }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
    for (let i = 0; i < 2000; i++) {
      const a = random();
      const b = random();
      assert.equal(Math.sign(compareUtf8(a, b)), Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  });
});

describe('formatH1', () => {
  test('is h1: and standard padded base64 of the digest', () => {
    for (const digest of [Buffer.alloc(32), Buffer.alloc(32, 0xff), ...Array.from({ length: 200 }, () => randomBytes(32))]) {
      assert.equal(formatH1(digest), `h1:${digest.toString('base64')}`);
    }
  });

  test('accepts a plain Uint8Array', () => {
    assert.equal(formatH1(new Uint8Array(32).fill(0xfb)), `h1:${Buffer.alloc(32, 0xfb).toString('base64')}`);
  });

  for (const length of [0, 20, 31, 33, 64]) {
    test(`refuses a ${length}-byte digest`, () => {
      assert.throws(() => formatH1(new Uint8Array(length)), /an h1 digest is 32 bytes \(SHA-256\), got/);
    });
  }
});

describe('isH1Hash', () => {
  test('accepts what formatH1 writes', () => {
    for (let i = 0; i < 100; i++) assert.equal(isH1Hash(formatH1(randomBytes(32))), true);
    assert.equal(isH1Hash('h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY='), true);
  });

  for (const [what, s] of [
    ['an empty string', ''],
    ['a bare prefix', 'h1:'],
    ['another hash kind', 'h2:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY='],
    ['an upper-case prefix', 'H1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY='],
    ['no padding', 'h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY'],
    ['a 33-byte value', `h1:${Buffer.alloc(33).toString('base64')}`],
    ['a 31-byte value', `h1:${Buffer.alloc(31).toString('base64')}`],
    ['the URL-safe alphabet', 'h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykr-_Y='],
    ['non-zero unused bits', 'h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydZ='],
    ['surrounding space', ' h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY='],
    ['a trailing newline', 'h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=\n'],
  ] as const) {
    test(`rejects ${what}`, () => {
      assert.equal(isH1Hash(s), false);
    });
  }
});
