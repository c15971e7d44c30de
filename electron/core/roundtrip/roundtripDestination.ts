import { stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where a request file or inventory goes when the operator picks a drive or folder rather than a file:
 * a name of its kind with the time in it, so one drive carries several without one replacing another.
 */
export async function roundtripFileIn(destination: string, kind: 'request' | 'inventory', now: Date = new Date()): Promise<string> {
  const isFolder = await stat(destination).then((info) => info.isDirectory(), () => false);
  if (!isFolder) return destination;
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '').replace('T', '-');
  return path.join(destination, `modferry-${kind}-${stamp}.${kind === 'request' ? 'txt' : 'json'}`);
}
