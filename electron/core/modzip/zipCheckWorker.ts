/**
 * A worker thread of the zip check pool (see zipCheckPool): runs inspectModuleZip on each zip
 * it is sent and answers with the zip's h1, or with why the zip is refused. Checks sent while
 * one runs are started alongside it; the pool decides how many a worker holds.
 */
import { parentPort } from 'node:worker_threads';
import { inspectModuleZip } from './inspectModuleZip';
import { ModuleZipError } from './moduleZipError';
import type { ZipCheckAnswer, ZipCheckRequest } from './zipCheckPool';

const port = parentPort;
if (port === null) throw new Error('zipCheckWorker runs as a worker thread of the zip check pool, not on its own');

port.on('message', (request: ZipCheckRequest) => {
  void answer(request).then((reply) => port.postMessage(reply));
});

async function answer({ id, zipFile, mod, options }: ZipCheckRequest): Promise<ZipCheckAnswer> {
  try {
    const { h1 } = await inspectModuleZip(zipFile, mod, options);
    return { id, h1 };
  } catch (error) {
    if (error instanceof ModuleZipError) {
      return { id, zipError: { file: error.file, reason: error.reason, ...(error.entry === undefined ? {} : { entry: error.entry }) } };
    }
    return { id, error: error instanceof Error ? error.message : String(error) };
  }
}
