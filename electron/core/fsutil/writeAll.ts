import type { FileHandle } from 'node:fs/promises';

/** FileHandle.write may write fewer bytes than asked (a full pipe, a signal): loop until all are out. */
export async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}
