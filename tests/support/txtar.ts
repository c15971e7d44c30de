/**
 * The txtar archive format of golang.org/x/tools/txtar, which the go project's test data is written
 * in: a comment, then files, each introduced by a `-- name --` line.
 */
export interface TxtarArchive {
  comment: Buffer;
  files: Array<{ name: string; data: Buffer }>;
}

export function parseTxtar(bytes: Buffer): TxtarArchive {
  const files: TxtarArchive['files'] = [];
  let comment: Buffer | undefined;
  let name: string | undefined;
  let start = 0;
  let at = 0;
  const close = (end: number): void => {
    const data = bytes.subarray(start, end);
    if (name === undefined) comment = fixNewline(data);
    else files.push({ name, data: fixNewline(data) });
  };
  while (at < bytes.length) {
    const newline = bytes.indexOf(0x0a, at);
    const lineEnd = newline < 0 ? bytes.length : newline;
    const marker = markerName(bytes.subarray(at, lineEnd).toString('utf8'));
    const next = newline < 0 ? bytes.length : newline + 1;
    if (marker !== undefined) {
      close(at);
      name = marker;
      start = next;
    }
    at = next;
  }
  close(bytes.length);
  return { comment: comment ?? Buffer.alloc(0), files };
}

function markerName(line: string): string | undefined {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (!text.startsWith('-- ') || !text.endsWith(' --') || text.length < 6) return undefined;
  const name = text.slice(3, -3).trim();
  return name === '' ? undefined : name;
}

// txtar gives every non-empty file a final newline.
function fixNewline(data: Buffer): Buffer {
  return data.length === 0 || data[data.length - 1] === 0x0a ? data : Buffer.concat([data, Buffer.from('\n')]);
}

/**
 * Bytes as a JS string the way the project holds names read from outside: valid UTF-8 decoded, and each
 * byte of invalid UTF-8 kept as a lone surrogate, which the path rules then refuse as Go refuses the byte.
 */
export function decodeKeepingInvalidBytes(bytes: Buffer): string {
  let out = '';
  let at = 0;
  while (at < bytes.length) {
    const length = utf8SequenceLength(bytes, at);
    if (length === 0) {
      out += String.fromCharCode(0xdc00 + bytes[at]!);
      at++;
    } else {
      out += bytes.subarray(at, at + length).toString('utf8');
      at += length;
    }
  }
  return out;
}

function utf8SequenceLength(bytes: Buffer, at: number): number {
  const first = bytes[at]!;
  const length = first < 0x80 ? 1 : first >= 0xc2 && first < 0xe0 ? 2 : first >= 0xe0 && first < 0xf0 ? 3 : first >= 0xf0 && first < 0xf5 ? 4 : 0;
  if (length <= 1) return length;
  const sequence = bytes.subarray(at, at + length);
  if (sequence.length < length) return 0;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sequence);
    return length;
  } catch {
    return 0;
  }
}
