/**
 * How many bytes a bundle volume takes, computed before it is written, so volumes can be
 * planned to fit a drive's file size limit and free space can be checked up front.
 *
 * The writer encodes headers with the `tar` package (ustar, plus a PAX extended header
 * carrying `path`, and `size` past the ustar limit, when the ustar fields cannot hold them);
 * these functions reproduce that package's decisions byte for byte, and the unit tests
 * compare them with what it really writes.
 */

export const TAR_BLOCK_BYTES = 512;
/** Two zero blocks close a tar archive. */
export const TAR_END_OF_ARCHIVE_BYTES = 2 * TAR_BLOCK_BYTES;

const USTAR_NAME_BYTES = 100;
const USTAR_PREFIX_BYTES = 155;
/** Largest size an 11-digit octal ustar field holds (8 GiB - 1). */
const USTAR_MAX_SIZE = 0o77777777777;

/** Bytes one regular-file entry adds to a volume: any PAX header, its header block, its data padded to a block. */
export function tarEntryBytes(path: string, size: number): number {
  return paxHeaderBytes(path, size) + TAR_BLOCK_BYTES + roundUpToBlock(size);
}

/** Bytes of a whole volume holding these entries, end-of-archive blocks included. */
export function tarVolumeBytes(entries: ReadonlyArray<{ path: string; size: number }>): number {
  return entries.reduce((total, entry) => total + tarEntryBytes(entry.path, entry.size), TAR_END_OF_ARCHIVE_BYTES);
}

/** Whether an entry needs a PAX extended header before its ustar header. */
export function needsPaxHeader(path: string, size: number): boolean {
  // The package flags any non-ASCII name for a PAX header, whatever its length.
  return !isAscii(path) || !fitsUstarPath(path) || size > USTAR_MAX_SIZE;
}

export function roundUpToBlock(bytes: number): number {
  return Math.ceil(bytes / TAR_BLOCK_BYTES) * TAR_BLOCK_BYTES;
}

function paxHeaderBytes(path: string, size: number): number {
  if (!needsPaxHeader(path, size)) return 0;
  const body = paxRecordBytes('path', path) + (size > USTAR_MAX_SIZE ? paxRecordBytes('size', String(size)) : 0);
  return TAR_BLOCK_BYTES + roundUpToBlock(body);
}

// A record is "<length> <key>=<value>\n" where <length> counts its own digits too.
function paxRecordBytes(key: string, value: string): number {
  const rest = utf8Bytes(` ${key}=${value}\n`);
  let digits = String(rest).length;
  if (String(rest + digits).length > digits) digits++;
  return rest + digits;
}

/**
 * The `tar` package's ustar split of an ASCII path: below 100 bytes the name field alone;
 * otherwise it takes the shortest tail (at a slash) whose leading part fits the 155-byte
 * prefix field, and that tail must then fit the name field.
 */
function fitsUstarPath(path: string): boolean {
  if (path.length < USTAR_NAME_BYTES) return true;
  let cut = path.lastIndexOf('/');
  if (cut < 0) return path.length <= USTAR_NAME_BYTES;
  while (cut > 0) {
    if (cut <= USTAR_PREFIX_BYTES) return path.length - cut - 1 <= USTAR_NAME_BYTES;
    cut = path.lastIndexOf('/', cut - 1);
  }
  return false;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function utf8Bytes(s: string): number {
  if (isAscii(s)) return s.length;
  let bytes = 0;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
