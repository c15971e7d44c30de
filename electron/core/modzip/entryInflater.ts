/**
 * Inflates zip entries one after another on this thread into one output buffer, with one
 * zlib stream reset between entries. zlib.inflateRawSync makes a zlib stream and a new output
 * buffer for every entry: for the tens of thousands of files of a bundle of source zips, that
 * allocation and the garbage collection after it cost a good part of what the inflating does.
 *
 * Node offers no public call that inflates into a given buffer, so this drives the native
 * handle of a zlib.InflateRaw stream the way Node's own inflateRawSync does (the same
 * writeSync and write state, Node 20 to 24). A stream it does not recognise is refused when
 * the inflater is made, not misread.
 */
import { constants, InflateRaw } from 'node:zlib';

interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOffset: number, inLength: number, output: Uint8Array, outOffset: number, outLength: number): void;
  reset(): void;
}

/** What Node's zlib streams keep for their synchronous calls: the handle (null once closed) and the space it left. */
interface ZlibStreamInternals {
  _handle: ZlibHandle | null;
  /** [output space left, input left] after the last write. */
  _writeState: Uint32Array;
}

export class EntryInflater {
  private stream: InflateRaw & ZlibStreamInternals;
  private output = Buffer.alloc(0);

  constructor() {
    this.stream = newStream();
  }

  /**
   * The content of a deflated entry that declares `declaredSize` bytes: at most `declaredSize + 1`
   * are inflated, so a larger content comes back one byte longer than declared whatever its
   * real size. It lies in this inflater's buffer: valid until the next call, and to be copied
   * to be kept. A corrupt stream throws zlib's error.
   */
  inflate(data: Uint8Array, declaredSize: number): Buffer {
    const space = declaredSize + 1;
    if (this.output.length < space) this.output = Buffer.allocUnsafeSlow(space);
    const stream = this.stream;
    const handle = stream._handle!;
    handle.writeSync(constants.Z_FINISH, data, 0, data.length, this.output, 0, space);
    if (stream.errored !== null) {
      // The handle reported the fault by destroying its stream: the next entry gets a new one.
      this.stream = newStream();
      throw stream.errored;
    }
    const produced = space - stream._writeState[0]!;
    handle.reset();
    return this.output.subarray(0, produced);
  }
}

function newStream(): InflateRaw & ZlibStreamInternals {
  const stream = new InflateRaw() as InflateRaw & Partial<ZlibStreamInternals>;
  const handle = stream._handle;
  if (typeof handle?.writeSync !== 'function' || typeof handle.reset !== 'function' || !(stream._writeState instanceof Uint32Array)) {
    throw new Error(`this Node.js (${process.version}) has zlib streams EntryInflater does not know`);
  }
  // A fault is thrown to the caller from inflate(); the stream's own error event comes later and says the same.
  stream.on('error', () => undefined);
  return stream as InflateRaw & ZlibStreamInternals;
}
