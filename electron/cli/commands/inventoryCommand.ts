import { parseArgs } from 'node:util';
import { storeInventory, writeStoreInventory } from '../../core/roundtrip/storeInventory';
import type { CommandOutput } from '../output';
import { plural } from '../plural';
import { UsageError } from '../usageError';
import packageJson from '../../../package.json';

export const inventoryUsage = `modferry inventory [--store DIR] --out FILE [--json]

Write an inventory of what the store holds. Carry it to the online machine and pass it to
'modferry export --since FILE' so the next bundle leaves out what is already here. A store
not made yet holds nothing: its inventory is empty.

  --store DIR  the store (default: the store in ModFerry's data folder)
  --out FILE   where to write the inventory; - writes it to stdout (and the summary to stderr)
  --json       the summary as one JSON line`;

export async function inventoryCommand(args: string[], output: CommandOutput): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { store: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean', default: false } } });
  if (!values.out) throw new UsageError('--out FILE is required');
  if (values.out === '-' && values.json) throw new UsageError('--out - and --json both write to stdout: give one');
  const options = { storeDir: values.store, tool: `modferry ${packageJson.version}` };
  const toStdout = values.out === '-';
  const { modules, paths, text } = toStdout ? storeInventory(options) : await writeStoreInventory(values.out, options);
  const gaps = modules.filter((m) => m.noProof !== undefined).length;
  const unproven = gaps === 0 ? '' : `, ${gaps} without a checksum-database proof (the next export --since this inventory carries their proofs)`;
  const counts = `${plural(modules.length, 'version')} of ${plural(paths, 'module')}${modules.length === 0 ? ' (the store holds nothing yet)' : ''}${unproven}`;
  if (toStdout) {
    output.out(text.replace(/\n$/, ''));
    output.err(`Wrote the inventory to stdout: ${counts}`);
    return 0;
  }
  if (values.json) output.out(JSON.stringify({ type: 'result', file: values.out, versions: modules.length, modules: paths }));
  else output.out(`Wrote ${values.out}: ${counts}`);
  return 0;
}
