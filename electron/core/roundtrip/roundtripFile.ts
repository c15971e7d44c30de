import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurably } from '../fsutil/durableFile';

/** Writes a request file or inventory where the operator chose, making its folder (a drive's subfolder) if needed. */
export async function writeRoundtripFile(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFileDurably(file, text);
}
