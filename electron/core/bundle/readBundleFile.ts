/**
 * Reads manifest.json and manifest.sig, the files a bundle is trusted through, before anything
 * vouches for them: as regular files only, and never more than a cap. A symbolic link (to
 * /dev/zero, say), a FIFO that no one writes to or a device would otherwise be read until
 * memory runs out or forever; a link is refused even to a good file, since the bundle is the
 * folder and what it holds, not whatever a link points to when it is read.
 */
import { constants, existsSync, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE } from '../../../shared/bundle/manifest';
import { BundleVerifyError } from './bundleVerifyError';

/**
 * The largest manifest.json read. A manifest entry takes about 270 bytes (a 50-character path,
 * its sha256, h1, size and volume, indented), so this fits some 250,000 entries (80,000 module
 * versions with their .info, .mod and .zip), while a hostile file within it stays cheap to parse.
 */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
export const MAX_SIGNATURE_BYTES = 64 * 1024;

const READ_CHUNK_BYTES = 1024 * 1024;

/** The file's bytes; a BundleVerifyError naming it when it is missing, not a regular file, or over `maxBytes`. */
export async function readBundleFile(bundleDir: string, name: string, maxBytes: number): Promise<Buffer> {
  const file = path.join(bundleDir, name);
  const refuse = (reason: string, cause?: unknown): BundleVerifyError =>
    new BundleVerifyError(reason, { file: name }, cause === undefined ? undefined : { cause });
  let info: Stats;
  try {
    info = await lstat(file);
  } catch (error) {
    throw notReadable(bundleDir, name, error);
  }
  if (!info.isFile()) throw refuse(`${describeKind(info)}, not a regular file: refused`);
  let handle: FileHandle;
  try {
    // O_NOFOLLOW: the name may have become a link since lstat. O_NONBLOCK: nor may opening a FIFO wait for a writer.
    handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw refuse('a symbolic link, not a regular file: refused', error);
    throw notReadable(bundleDir, name, error);
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw refuse(`${describeKind(opened)}, not a regular file: refused`);
    const tooLarge = (): BundleVerifyError => refuse(`over the limit of ${maxBytes} bytes for a bundle's ${name}: refused`);
    if (opened.size > maxBytes) throw tooLarge();
    // Read to the end, not to the size stat gave: a file growing meanwhile is stopped at the cap all the same.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw tooLarge();
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof BundleVerifyError) throw error;
    throw notReadable(bundleDir, name, error);
  } finally {
    await handle.close();
  }
}

function notReadable(bundleDir: string, name: string, error: unknown): BundleVerifyError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    if (!existsSync(bundleDir)) return new BundleVerifyError('no such folder (is the drive mounted?)', { file: bundleDir }, { cause: error, problem: 'no-such-folder' });
    const why = name === MANIFEST_FILE ? 'not a ModFerry bundle folder, or the bundle was not completely written' : 'the bundle is not signed';
    return new BundleVerifyError(`${bundleDir}: no ${name}: ${why}`, {}, { cause: error });
  }
  // A file given where the bundle's folder belongs: the file at fault is that one, not the manifest.
  if (code === 'ENOTDIR') return new BundleVerifyError("not a folder: give the bundle's folder (it holds manifest.json and the volumes)", { file: bundleDir }, { cause: error });
  return new BundleVerifyError(`cannot read it (${code ?? String(error)})`, { file: name }, { cause: error });
}

function describeKind(info: Stats): string {
  if (info.isSymbolicLink()) return 'a symbolic link';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isDirectory()) return 'a folder';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}
