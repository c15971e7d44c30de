import { parseSize } from '../../../shared/work/parseSize';

/** Smaller volumes than this are never what an operator means: a typo ("700" for 700 MiB) more likely. */
export const MIN_CHOSEN_VOLUME_BYTES = 1024 ** 2;

/** Room a tar volume takes beyond one file's data: its header, padding and the end-of-archive blocks. */
const TAR_ROOM_BYTES = 4 * 512;

export type VolumeSizeReading =
  | { ok: true; bytes: number }
  | { ok: false; problem: 'unreadable' }
  | { ok: false; problem: 'too-small'; minBytes: number }
  | { ok: false; problem: 'too-large'; maxBytes: number };

/**
 * A volume size as the operator typed it ("700 MiB", "2G"), held to what the bundle and the file system
 * allow: at least 1 MiB and room for the bundle's largest file, at most what the file system holds.
 */
export function readVolumeSize(text: string, limits: { largestFileBytes: number; maxBytes: number | null }): VolumeSizeReading {
  const bytes = parseSize(text);
  if (bytes === undefined) return { ok: false, problem: 'unreadable' };
  const minBytes = Math.max(MIN_CHOSEN_VOLUME_BYTES, limits.largestFileBytes + TAR_ROOM_BYTES);
  if (bytes < minBytes) return { ok: false, problem: 'too-small', minBytes };
  if (limits.maxBytes !== null && bytes > limits.maxBytes) return { ok: false, problem: 'too-large', maxBytes: limits.maxBytes };
  return { ok: true, bytes };
}
