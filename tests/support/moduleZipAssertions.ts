import assert from 'node:assert/strict';
import { ModuleZipError } from '../../electron/core/modzip/moduleZipError';

/** Asserts a one-line ModuleZipError naming the zip, the entry (if any) and the reason. */
export async function rejectsWithZipError(promise: Promise<unknown>, file: string, entry: string | undefined, reason: string | RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ModuleZipError, `expected a ModuleZipError, got ${String(error)}`);
    assert.equal(error.file, file);
    assert.equal(error.entry, entry);
    if (typeof reason === 'string') assert.equal(error.reason, reason);
    else assert.match(error.reason, reason);
    assert.ok(error.message.startsWith(`${file}: `) && error.message.endsWith(`: ${error.reason}`), error.message);
    assert.ok(!error.message.includes('\n'), 'one line');
    return true;
  });
}
