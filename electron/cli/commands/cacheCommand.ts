import { parseArgs } from 'node:util';
import { formatBytes } from '../../../shared/bundle/formatBytes';
import { appDirs } from '../../core/appDirs/appDirs';
import { cacheUsage, cleanCache } from '../../core/cache/cacheMaintenance';
import type { CommandOutput } from '../output';
import { plural } from '../plural';
import { UsageError } from '../usageError';

export const cacheUsageText = `modferry cache info [--json]
modferry cache clean [--json]

The online side's download cache: every .info, .mod and .zip an export downloaded, kept by content
so the next export fetches nothing twice.

  info   its folder, how many files it holds and their size
  clean  remove the cache's own files (the next export downloads afresh); anything else in the
         folder is kept and named. Refused while an export is running.
  --json the result as one JSON line`;

export async function cacheCommand(args: string[], output: CommandOutput): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'info' && subcommand !== 'clean') {
    throw new UsageError(subcommand === undefined ? 'cache needs a subcommand: info or clean' : `cache: unknown subcommand "${subcommand}" (expected info or clean)`);
  }
  const { values } = parseArgs({ args: rest, strict: true, options: { json: { type: 'boolean', default: false } } });
  if (subcommand === 'info') {
    const usage = await cacheUsage(appDirs());
    if (values.json) output.out(JSON.stringify({ type: 'result', ...usage }));
    else output.out(`Download cache ${usage.dir}: ${plural(usage.files, 'file')}, ${formatBytes(usage.bytes)}`);
    return 0;
  }
  const cleaned = await cleanCache(appDirs());
  if (values.json) {
    output.out(JSON.stringify({ type: 'result', ...cleaned }));
    return 0;
  }
  output.out(`Removed ${plural(cleaned.files, 'file')} (${formatBytes(cleaned.bytes)}) from the download cache ${cleaned.dir}`);
  if (cleaned.kept.length > 0) output.out(`Kept ${plural(cleaned.kept.length, 'file')} the cache did not write: ${cleaned.kept.join(', ')}`);
  return 0;
}
