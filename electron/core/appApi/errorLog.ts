import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../../../shared/errorMessage';
import type { AppDirs } from '../appDirs/appDirs';

/** Where the app writes what went wrong unexpectedly, for the operator to send to whoever supports it. */
export function errorLogFile(dirs: AppDirs): string {
  return path.join(dirs.data, 'logs', 'errors.log');
}

/** Appends one dated record, with the stack, to the error log; resolves with the log's path. */
export async function appendErrorLog(dirs: AppDirs, where: string, error: unknown): Promise<string> {
  const file = errorLogFile(dirs);
  const detail = error instanceof Error && error.stack ? error.stack : errorMessage(error);
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, `${new Date().toISOString()} ${where}: ${detail}\n`);
  return file;
}
