import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatInventory } from '../../../shared/roundtrip/inventory';
import { writeFileDurably } from '../../core/fsutil/durableFile';
import { openStore } from '../../core/store/diskStore';
import type { CommandOutput } from '../output';
import { plural } from '../plural';
import { UsageError } from '../usageError';
import packageJson from '../../../package.json';

export const inventoryUsage = `modferry inventory [--store DIR] --out FILE

Write an inventory of what the store holds. Carry it to the online machine and pass it to
'modferry export --since FILE' so the next bundle leaves out what is already here.

  --store DIR  the store (default: the store in ModFerry's data folder)
  --out FILE   where to write the inventory`;

export async function inventoryCommand(args: string[], output: CommandOutput): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { store: { type: 'string' }, out: { type: 'string' } } });
  if (!values.out) throw new UsageError('--out FILE is required');
  const store = openStore(values.store, { mode: 'read' });
  let modules;
  try {
    modules = store.inventory();
  } finally {
    store.close();
  }
  await mkdir(path.dirname(path.resolve(values.out)), { recursive: true });
  await writeFileDurably(values.out, formatInventory(modules, { createdAt: new Date().toISOString(), tool: `modferry ${packageJson.version}` }));
  const paths = new Set(modules.map((m) => m.path)).size;
  output.out(`Wrote ${values.out}: ${plural(modules.length, 'version')} of ${plural(paths, 'module')}`);
  return 0;
}
