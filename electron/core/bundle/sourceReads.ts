/**
 * The files a volume copies, read and re-hashed in order, with the small ones read ahead: a bundle is
 * mostly small .info and .mod files, and reading them one after another leaves the disk idle between
 * the writer's turns. Each file must still be exactly what was downloaded: a different size or hash
 * means the download cache changed under the writer.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { shortHash } from './bundleVerifyError';

export interface SourceFile {
  /** Path in the bundle, for messages. */
  path: string;
  /** The file on disk. */
  source: string;
  size: number;
  sha256: string;
}

/** Files up to this size are read whole, ahead of the writer. */
const WHOLE_FILE_BYTES = 1024 * 1024;
/** How far ahead the small files are read: a bound on files and on bytes held. */
const READ_AHEAD_FILES = 32;
const READ_AHEAD_BYTES = 8 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

/**
 * Calls `take` with each file's bytes in order (a small file in one piece, a large one in chunks of a
 * buffer reused between calls: copy what must outlive the call), after checking the file is unchanged.
 */
export async function readSourcesInOrder<File extends SourceFile>(
  files: readonly File[],
  take: (file: File, chunk: Uint8Array) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const ahead = new Map<number, Promise<Buffer>>();
  let next = 0;
  let heldBytes = 0;
  const readAhead = (): void => {
    while (next < files.length && ahead.size < READ_AHEAD_FILES) {
      const file = files[next]!;
      if (file.size > WHOLE_FILE_BYTES) {
        if (ahead.size > 0) return;
        next++;
        continue;
      }
      if (heldBytes + file.size > READ_AHEAD_BYTES && ahead.size > 0) return;
      const read = readWhole(file);
      // Rejections are reported in order, when the writer reaches the file.
      read.catch(() => undefined);
      ahead.set(next, read);
      heldBytes += file.size;
      next++;
    }
  };
  for (const [index, file] of files.entries()) {
    signal?.throwIfAborted();
    readAhead();
    const read = ahead.get(index);
    if (read === undefined) {
      await copyInChunks(file, (chunk) => take(file, chunk), signal);
      continue;
    }
    ahead.delete(index);
    const bytes = await read;
    heldBytes -= file.size;
    await take(file, bytes);
  }
}

async function readWhole(file: SourceFile): Promise<Buffer> {
  const source = await openSource(file);
  try {
    await checkSize(file, source);
    const bytes = Buffer.allocUnsafe(file.size);
    let offset = 0;
    while (offset < file.size) {
      const { bytesRead } = await source.read(bytes, offset, file.size - offset, offset);
      if (bytesRead === 0) throw changed(file, `ended after ${offset} bytes, expected ${file.size}`);
      offset += bytesRead;
    }
    checkHash(file, createHash('sha256').update(bytes).digest('hex'));
    return bytes;
  } finally {
    await source.close();
  }
}

async function copyInChunks(file: SourceFile, take: (chunk: Uint8Array) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const source = await openSource(file);
  try {
    await checkSize(file, source);
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(1, file.size)));
    let offset = 0;
    while (offset < file.size) {
      signal?.throwIfAborted();
      const { bytesRead } = await source.read(buffer, 0, Math.min(buffer.length, file.size - offset), offset);
      if (bytesRead === 0) throw changed(file, `ended after ${offset} bytes, expected ${file.size}`);
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      await take(chunk);
      offset += bytesRead;
    }
    checkHash(file, hash.digest('hex'));
  } finally {
    await source.close();
  }
}

async function openSource(file: SourceFile): Promise<FileHandle> {
  try {
    return await open(file.source, 'r');
  } catch (error) {
    throw new Error(`${file.path}: cannot read ${file.source} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
}

async function checkSize(file: SourceFile, source: FileHandle): Promise<void> {
  const info = await source.stat();
  if (!info.isFile()) throw new Error(`${file.path}: ${file.source} is not a regular file`);
  if (info.size !== file.size) throw changed(file, `is ${info.size} bytes, expected ${file.size}`);
}

function checkHash(file: SourceFile, sha256: string): void {
  if (sha256 !== file.sha256) throw changed(file, `has sha256 ${shortHash(sha256)}, expected ${shortHash(file.sha256)}`);
}

function changed(file: SourceFile, what: string): Error {
  return new Error(`${file.path}: ${file.source} ${what}; the download cache changed while the bundle was written, run the export again`);
}
