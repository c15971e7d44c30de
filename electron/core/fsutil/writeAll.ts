import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/** FileHandle.write may write fewer bytes than asked (a full pipe, a signal): loop until all are out. */
export async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

/** Writes a stream to a new file (never replacing one) and flushes it to disk before resolving. */
export async function writeStreamDurably(file: string, data: Readable): Promise<void> {
  const handle = await open(file, 'wx', 0o644);
  try {
    for await (const chunk of data) await writeAll(handle, chunk as Buffer);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
