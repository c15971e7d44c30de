import { parseArgs } from 'node:util';
import { open } from 'node:fs/promises';
import { hashGoModFile, hashModuleZip } from '../../core/modzip/hashModuleZip';
import { inspectModuleZip } from '../../core/modzip/inspectModuleZip';
import { readZipEntries } from '../../core/modzip/readZipEntries';
import { ModuleZipError } from '../../core/modzip/moduleZipError';
import { UsageError } from '../usageError';
import type { CommandOutput } from '../output';

export const hashUsage = `modferry hash FILE...

Print the h1: hash the go command records in go.sum for each module zip (.zip)
or go.mod file (.mod). A module zip is validated as the go command would
(every name under path@version/, file-name rules, collisions, size limits).`;

export async function hashCommand(args: string[], output: CommandOutput): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
  if (positionals.length === 0) throw new UsageError('hash needs at least one FILE (.zip or .mod)');
  for (const file of positionals) {
    const h1 = await hashFile(file);
    output.out(positionals.length > 1 ? `${h1}  ${file}` : h1);
  }
  return 0;
}

async function hashFile(file: string): Promise<string> {
  await assertReadableFile(file);
  if (file.endsWith('.mod')) return hashGoModFile(file);
  if (file.endsWith('.zip')) {
    const mod = await moduleOfZip(file);
    // An empty zip is a valid module zip whatever the module, and its h1 is that of no files.
    return mod === undefined ? hashModuleZip(file) : (await inspectModuleZip(file, mod)).h1;
  }
  throw new Error(`${file}: cannot tell what to hash: expected a module zip (.zip) or a go.mod file (.mod)`);
}

async function assertReadableFile(file: string): Promise<void> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  try {
    if (!(await handle.stat()).isFile()) throw new Error(`${file}: not a regular file`);
  } finally {
    await handle.close();
  }
}

/** A module zip names its module in every entry's `path@version/` prefix; the first entry tells which, and an empty zip none. */
async function moduleOfZip(file: string): Promise<{ path: string; version: string } | undefined> {
  for await (const entry of readZipEntries(file)) {
    const at = entry.name.indexOf('@');
    const slash = entry.name.indexOf('/', at);
    if (at <= 0 || slash < 0) {
      throw new ModuleZipError(file, `not a module zip: first entry is not under a "path@version/" prefix`, entry.name);
    }
    return { path: entry.name.slice(0, at), version: entry.name.slice(at + 1, slash) };
  }
  return undefined;
}
