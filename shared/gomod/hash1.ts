/**
 * The "h1:" hash the go command records in go.sum and the checksum database
 * (golang.org/x/mod/sumdb/dirhash.Hash1): SHA-256 over a summary listing every file's
 * own SHA-256 and name, printed as "h1:" plus standard base64.
 *
 * Hashing bytes needs a SHA-256 implementation, which differs between Node and the
 * browser, so this module only builds the summary text and formats the final digest.
 */

export interface HashedFile {
  /** The name as hashed: for a module zip the full entry name, `path@version/...`. */
  readonly name: string;
  /** Lower-case hex SHA-256 of the file's content. */
  readonly sha256Hex: string;
}

/**
 * The text whose SHA-256 is the h1 digest: one line `<sha256 hex>  <name>\n` per file,
 * ordered as Go's sort.Strings orders the names (by their UTF-8 bytes). Hash it as UTF-8.
 */
export function hash1Summary(files: ReadonlyArray<HashedFile>): string {
  for (const file of files) {
    // A newline in a name would forge an extra summary line.
    if (file.name.includes('\n')) throw new Error(`h1 cannot hash file name ${JSON.stringify(file.name)}: it contains a newline`);
    if (!/^[0-9a-f]{64}$/.test(file.sha256Hex)) {
      throw new Error(`h1 needs a lower-case hex SHA-256 for ${JSON.stringify(file.name)}, got ${JSON.stringify(file.sha256Hex)}`);
    }
  }
  return [...files]
    .sort((a, b) => compareUtf8(a.name, b.name))
    .map((file) => `${file.sha256Hex}  ${file.name}\n`)
    .join('');
}

/** `h1:` plus the standard (padded) base64 of a SHA-256 digest. */
export function formatH1(digest: Uint8Array): string {
  if (digest.length !== SHA256_BYTES) throw new Error(`an h1 digest is ${SHA256_BYTES} bytes (SHA-256), got ${digest.length}`);
  return `h1:${base64(digest)}`;
}

/** Whether s is an h1 hash as the go command writes it: `h1:` and the base64 of exactly 32 bytes. */
export function isH1Hash(s: string): boolean {
  // 32 bytes leave 2 bits unused in the last character; Go always writes them as zero.
  return /^h1:[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/.test(s);
}

const SHA256_BYTES = 32;

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const triple = (b0 << 16) | (b1 << 8) | b2;
    out += BASE64_ALPHABET.charAt((triple >> 18) & 63);
    out += BASE64_ALPHABET.charAt((triple >> 12) & 63);
    out += i + 1 < bytes.length ? BASE64_ALPHABET.charAt((triple >> 6) & 63) : '=';
    out += i + 2 < bytes.length ? BASE64_ALPHABET.charAt(triple & 63) : '=';
  }
  return out;
}

/**
 * Orders strings by their UTF-8 bytes, which is code point order. JavaScript's own
 * comparison works on UTF-16 code units and puts U+E000..U+FFFF after every
 * supplementary character; Go puts them before.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

// At the first differing code unit, surrogates (the start of a supplementary character)
// must rank above every other BMP unit; moving them past U+FFFF does that.
function codePointRank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x10000 : unit;
}
