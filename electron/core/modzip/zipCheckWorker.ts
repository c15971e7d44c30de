/**
 * A worker thread of the zip check pool (see zipCheckPool): runs inspectModuleZip on each zip
 * it is sent and answers with the zip's h1, or with why the zip is refused. Checks sent while
 * one runs wait for it; the pool decides how many a worker holds.
 */
import { parentPort } from 'node:worker_threads';
import { inspectModuleZip } from './inspectModuleZip';
import { ModuleZipError } from './moduleZipError';
import type { ZipCheckAnswer, ZipCheckRequest } from './zipCheckPool';
import { errorMessage } from '../../../shared/errorMessage';

const port = parentPort;
if (port === null) throw new Error('zipCheckWorker runs as a worker thread of the zip check pool, not on its own');

// One check at a time, in the order sent: its reads block this thread, so nothing would run alongside.
let previous = Promise.resolve();
port.on('message', (request: ZipCheckRequest) => {
  previous = previous.then(() => answer(request)).then((reply) => port.postMessage(reply));
});

async function answer({ id, zipFile, mod, options }: ZipCheckRequest): Promise<ZipCheckAnswer> {
  try {
    // Blocking reads: this thread has nothing else to do meanwhile.
    const { h1 } = await inspectModuleZip(zipFile, mod, { ...options, reads: 'blocking' });
    return { id, h1 };
  } catch (error) {
    if (error instanceof ModuleZipError) {
      return { id, zipError: { file: error.file, reason: error.reason, ...(error.entry === undefined ? {} : { entry: error.entry }) } };
    }
    return { id, error: errorMessage(error) };
  }
}
