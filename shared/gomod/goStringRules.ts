/**
 * How the go command reads and prints text in go.mod and go.sum: Go's definition of white space
 * and printable characters, double-quoted string literals (strconv.Unquote) and %q (strconv.Quote).
 * JavaScript's own \s, trim() and JSON quoting draw these lines differently, so they are spelled out.
 */

// unicode.IsSpace: the ASCII spaces, NEL, NBSP and category Z. Unlike JavaScript's \s it excludes U+FEFF.
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\p{Z}]$/u;
const GO_SPACE_RUN = /[\t\n\v\f\r \u0085\u00a0\p{Z}]+/u;
const GO_SPACE_AT_ENDS = /^[\t\n\v\f\r \u0085\u00a0\p{Z}]+|[\t\n\v\f\r \u0085\u00a0\p{Z}]+$/gu;

export function isGoSpace(ch: string): boolean {
  return GO_SPACE.test(ch);
}

/** strings.Fields: the non-empty runs between white space. */
export function goFields(s: string): string[] {
  return s.split(GO_SPACE_RUN).filter((f) => f !== '');
}

/** strings.TrimSpace. */
export function goTrimSpace(s: string): string {
  return s.replace(GO_SPACE_AT_ENDS, '');
}

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isGoPrintable(ch: string): boolean {
  return ch === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);
}

/**
 * The value of a Go double-quoted string literal, quotes included in `literal` (strconv.Unquote).
 * Throws an Error with Go's message, `invalid syntax`, for anything Go would reject.
 */
export function unquoteGoString(literal: string): string {
  if (literal.length < 2 || !literal.startsWith('"') || !literal.endsWith('"')) throw invalidSyntax();
  const body = literal.slice(1, -1);
  if (body.includes('\n')) throw invalidSyntax();

  let out = '';
  // \x and octal escapes produce single bytes that only mean something together, as UTF-8.
  let pendingBytes: number[] = [];
  const flushBytes = (): void => {
    if (pendingBytes.length > 0) out += decodeUtf8Lossy(pendingBytes);
    pendingBytes = [];
  };

  let i = 0;
  while (i < body.length) {
    const ch = String.fromCodePoint(body.codePointAt(i) ?? 0);
    if (ch === '"') throw invalidSyntax();
    if (ch !== '\\') {
      flushBytes();
      out += ch;
      i += ch.length;
      continue;
    }
    const kind = body.charAt(i + 1);
    const simple = SIMPLE_ESCAPES[kind];
    if (simple !== undefined) {
      flushBytes();
      out += simple;
      i += 2;
    } else if (kind === 'x') {
      pendingBytes.push(fixedDigits(body, i + 2, 2, 16));
      i += 4;
    } else if (kind >= '0' && kind <= '7') {
      const value = fixedDigits(body, i + 1, 3, 8);
      if (value > 0xff) throw invalidSyntax();
      pendingBytes.push(value);
      i += 4;
    } else if (kind === 'u' || kind === 'U') {
      const width = kind === 'u' ? 4 : 8;
      const rune = fixedDigits(body, i + 2, width, 16);
      if (rune > 0x10ffff || (rune >= 0xd800 && rune <= 0xdfff)) throw invalidSyntax();
      flushBytes();
      out += String.fromCodePoint(rune);
      i += 2 + width;
    } else {
      throw invalidSyntax();
    }
  }
  flushBytes();
  return out;
}

// In a double-quoted literal \' is an error, so it is absent here.
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"',
};

function fixedDigits(s: string, start: number, count: number, radix: 8 | 16): number {
  const digits = s.slice(start, start + count);
  const pattern = radix === 8 ? /^[0-7]+$/ : /^[0-9A-Fa-f]+$/;
  if (digits.length !== count || !pattern.test(digits)) throw invalidSyntax();
  return parseInt(digits, radix);
}

function invalidSyntax(): Error {
  return new Error('invalid syntax');
}

/** UTF-8 bytes to text, each byte that is not part of a well-formed sequence becoming U+FFFD. */
function decodeUtf8Lossy(bytes: readonly number[]): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0) {
      out += '\ufffd';
      i++;
      continue;
    }
    let rune = length === 1 ? lead : lead & (0xff >> (length + 1));
    let ok = i + length <= bytes.length;
    for (let k = 1; ok && k < length; k++) {
      const next = bytes[i + k] ?? 0;
      if ((next & 0xc0) !== 0x80) ok = false;
      rune = (rune << 6) | (next & 0x3f);
    }
    const minimum = [0, 0, 0x80, 0x800, 0x10000][length] ?? 0;
    if (!ok || rune < minimum || rune > 0x10ffff || (rune >= 0xd800 && rune <= 0xdfff)) {
      out += '\ufffd';
      i++;
      continue;
    }
    out += String.fromCodePoint(rune);
    i += length;
  }
  return out;
}

/** Go's %q of a string (strconv.Quote), so messages quote values exactly as the go command does. */
export function quoteGoString(s: string): string {
  let out = '"';
  for (const ch of s) out += ch === '"' ? '\\"' : escapeForQuote(ch);
  return `${out}"`;
}

/** Go's %q of a rune (strconv.QuoteRune), e.g. `'\v'` for a vertical tab. */
export function quoteGoRune(ch: string): string {
  return `'${ch === "'" ? "\\'" : escapeForQuote(ch)}'`;
}

const NAMED_QUOTE_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\',
};

function escapeForQuote(ch: string): string {
  const named = NAMED_QUOTE_ESCAPES[ch];
  if (named !== undefined) return named;
  if (isGoPrintable(ch)) return ch;
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `\\x${hex(code, 2)}`;
  return code < 0x10000 ? `\\u${hex(code, 4)}` : `\\U${hex(code, 8)}`;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/**
 * Go's string order (strings.Compare): by UTF-8 bytes, which is code point order. JavaScript's `<`
 * compares UTF-16 code units instead and disagrees for characters beyond U+FFFF.
 */
export function compareGoStrings(a: string, b: string): number {
  const as = Array.from(a);
  const bs = Array.from(b);
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const diff = (as[i]?.codePointAt(0) ?? 0) - (bs[i]?.codePointAt(0) ?? 0);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return as.length === bs.length ? 0 : as.length < bs.length ? -1 : 1;
}
