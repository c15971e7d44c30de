/**
 * Reads one tar volume in a single pass: the SHA-256 of the whole file is computed from
 * the same bytes the tar parser sees, and each entry is handed over in order, with
 * backpressure, so an entry's consumer can take its time without the volume being buffered.
 *
 * An entry's data is also one contiguous range of the volume file, and its consumer can
 * learn where: the parser hands out an entry's data as views of the buffers this reader
 * read the volume into, and each buffer's place in the file is known. That holds because
 * every buffer given to the parser is whole 512-byte blocks, so it never has a partial
 * block to copy and join with the next buffer; where it does copy, the place is unknown
 * rather than wrong.
 *
 * The volume ends where GNU tar would stop reading it (TarEndWatch): anything but zero
 * padding after that is refused before the parser sees it.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Parser } from 'tar/parse';
import type { ReadEntry } from 'tar/read-entry';
import { TAR_BLOCK_BYTES } from '../../../shared/bundle/tarLayout';
import { asError } from '../../../shared/errorMessage';
import { ModFerryError } from '../errors/modferryError';
import { TarEndWatch } from './tarEndOfArchive';

/** The volume is not a well-formed plain tar; `volume` names its file, `entry` the entry the fault lies in, when known. */
export class TarFormatError extends ModFerryError {
  override name = 'TarFormatError';

  /** The last entry read whole before the fault: absent for faults before any entry, or of the volume as a whole. */
  readonly after?: string;

  constructor(
    /** The problem alone, e.g. `checksum failure`. */
    reason: string,
    where: { volume: string; entry?: string },
    /** For faults the parser finds: how far it got. */
    parsed?: { after: string | undefined },
    options?: ErrorOptions,
  ) {
    const after = parsed === undefined ? '' : parsed.after === undefined ? ' (in the first entries)' : ` (after ${parsed.after})`;
    super('bundle', reason, where, { ...options, message: `${reason}${after}` });
    if (parsed?.after !== undefined) this.after = parsed.after;
  }
}

/**
 * node-tar's parser, keeping the first fault's reason and entry apart: the errors it emits join
 * its code and the reason into one message.
 */
class VolumeParser extends Parser {
  fault?: { reason: string; entry?: string };

  override warn(code: string, message: string | Error, data: Parameters<Parser['warn']>[2] = {}): void {
    const entry = (data.entry as ReadEntry | undefined)?.path;
    this.fault ??= { reason: typeof message === 'string' ? message : message.message, ...(entry === undefined ? {} : { entry }) };
    super.warn(code, message, data);
  }
}

/** Where in the volume file a piece of an entry's data, as the entry emitted it, starts; undefined if unknown. */
export type VolumeOffsetOf = (data: Uint8Array) => number | undefined;

export interface TarVolumeHandlers {
  /**
   * Called for every entry in order, including those the parser would skip (unknown types).
   * It must consume the entry's data before resolving, or throw to stop the read. When the
   * read fails elsewhere, the entry it is reading is destroyed with that error.
   */
  onEntry(entry: ReadEntry, offsetOf: VolumeOffsetOf): Promise<void>;
  /** Bytes of the volume read so far, as they are read. */
  onBytes?(bytes: number): void;
  signal?: AbortSignal;
}

const READ_CHUNK_BYTES = 1024 * 1024;

/** Reads exactly `size` bytes of the file through the tar parser; resolves with their SHA-256 (hex). */
export async function readTarVolume(file: string, size: number, handlers: TarVolumeHandlers): Promise<string> {
  const { signal } = handlers;
  signal?.throwIfAborted();
  // Strict: a bad header checksum or a truncated entry is an error, not a warning to skip past.
  const parser = new VolumeParser({ strict: true, brotli: false, zstd: false });
  const volume = path.basename(file);
  let failure: { error: unknown } | undefined;
  let rejectFailed: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (rejectFailed = reject));
  failed.catch(() => undefined);
  const fail = (error: unknown): void => {
    if (failure !== undefined) return;
    failure = { error };
    rejectFailed(error);
  };
  const onAbort = (): void => fail(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });

  // Each buffer the volume is read into, by the file offset of its first byte.
  const bufferOffsets = new WeakMap<ArrayBufferLike, number>();
  const offsetOf: VolumeOffsetOf = (data) => {
    const start = bufferOffsets.get(data.buffer);
    return start === undefined ? undefined : start + data.byteOffset;
  };

  let lastEntry: string | undefined;
  let inFlight: ReadEntry | undefined;
  let entries = Promise.resolve();
  const take = (entry: ReadEntry): void => {
    entries = entries
      .then(async () => {
        if (failure !== undefined) return;
        inFlight = entry;
        await handlers.onEntry(entry, offsetOf);
        lastEntry = entry.path;
      })
      .catch(fail)
      .finally(() => (inFlight = undefined));
  };
  parser.on('entry', take);
  parser.on('ignoredEntry', take);
  parser.on('error', (error: Error) => {
    const fault = parser.fault ?? { reason: error.message };
    fail(new TarFormatError(fault.reason, { volume, entry: fault.entry }, { after: lastEntry }, { cause: error }));
  });
  const ended = new Promise<void>((resolve) => parser.on('end', resolve));
  const settled = (promise: Promise<unknown>): Promise<void> => Promise.race([promise, failed]).then(() => undefined, () => undefined);

  const handle = await open(file, 'r');
  const readChunk = async (position: number): Promise<Buffer> => {
    // The first block alone, so its header is checked before the parser guesses at compression.
    const want = position === 0 ? TAR_BLOCK_BYTES : Math.min(READ_CHUNK_BYTES, size - position);
    // Not from the shared pool: the buffer must be the only thing in its memory for offsetOf.
    const chunk = Buffer.allocUnsafeSlow(want);
    bufferOffsets.set(chunk.buffer, position);
    await readFully(handle, chunk, position, size, volume);
    return chunk;
  };
  const hash = createHash('sha256');
  const endWatch = new TarEndWatch();
  let nextChunk: Promise<Buffer> | undefined;
  try {
    let position = 0;
    nextChunk = readChunk(0);
    while (nextChunk !== undefined && failure === undefined) {
      const chunk = await nextChunk;
      if (position === 0 && !startsWithUstarHeader(chunk)) {
        throw new TarFormatError('not a plain tar file (no ustar header at the start; compressed, or another format?)', { volume });
      }
      const pastEnd = endWatch.feed(chunk, position);
      if (pastEnd !== undefined) {
        throw new TarFormatError(
          `data at byte ${pastEnd.at}, after the end of the archive at byte ${pastEnd.endedAt} ` +
            '(tar stops at the first zero block, so it would not extract what follows)',
          { volume },
        );
      }
      position += chunk.length;
      // One chunk ahead: the drive (or page cache) works while this one is hashed and parsed.
      nextChunk = position < size ? readChunk(position) : undefined;
      nextChunk?.catch(() => undefined);
      hash.update(chunk);
      handlers.onBytes?.(chunk.length);
      if (!parser.write(chunk)) await settled(new Promise((resolve) => parser.once('drain', resolve)));
    }
    if (failure === undefined) {
      parser.end();
      await settled(ended);
      await settled(entries);
    }
  } catch (error) {
    fail(error);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (failure !== undefined) {
      // Let the entry's consumer see the failure and close what it opened before we report it.
      inFlight?.destroy(asError(failure.error));
      await entries;
    }
    // A read still under way must finish before its file is closed.
    await nextChunk?.catch(() => undefined);
    await handle.close();
  }
  if (failure !== undefined) throw failure.error;
  return hash.digest('hex');
}

/** Fills `buffer` from the file at `position`: a short read would leave the parser a partial block. */
async function readFully(handle: FileHandle, buffer: Buffer, position: number, size: number, volume: string): Promise<void> {
  for (let filled = 0; filled < buffer.length; ) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) throw new TarFormatError(`the file ended after ${position + filled} bytes, ${size} were expected`, { volume });
    filled += bytesRead;
  }
}

function startsWithUstarHeader(block: Buffer): boolean {
  return block.length >= TAR_BLOCK_BYTES && block.subarray(257, 263).toString('latin1') === 'ustar\0';
}
