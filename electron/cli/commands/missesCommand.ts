import { parseArgs } from 'node:util';
import { MISS_DROP_REASONS } from '../../core/store/countedMiss';
import { openStore } from '../../core/store/diskStore';
import type { CommandOutput } from '../output';
import { plural } from '../plural';
import { parseTimeOption, TIME_OPTION_HELP } from '../timeOption';
import { UsageError } from '../usageError';

export const missesUsage = `modferry misses [list] [--store DIR] [--since TIME] [--json]
modferry misses clear [--store DIR] [--before TIME]

List the requests the offline proxy could not answer (what 'modferry request' turns into a
request file), or forget them once they are carried over or known to be junk.

  --store DIR    the store (default: the store in ModFerry's data folder)
  --since TIME   list only requests seen since TIME
  --json         one JSON object: {"misses": [...], "dropped": [...]}
  --before TIME  clear only requests last seen before TIME (default: clear all)

TIME is ${TIME_OPTION_HELP}.`;

export async function missesCommand(args: string[], output: CommandOutput): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { store: { type: 'string' }, since: { type: 'string' }, before: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const [action = 'list', ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (action === 'list') {
    if (values.before !== undefined) throw new UsageError('--before goes with "misses clear"; to list recent misses use --since');
    return listMisses(values.store, values.since === undefined ? undefined : parseTimeOption('--since', values.since), values.json, output);
  }
  if (action === 'clear') {
    if (values.since !== undefined || values.json) throw new UsageError('"misses clear" takes --store and --before only');
    return clearMisses(values.store, values.before === undefined ? undefined : parseTimeOption('--before', values.before), output);
  }
  throw new UsageError(`unknown action "${action}" (list or clear)`);
}

function listMisses(storeDir: string | undefined, since: Date | undefined, json: boolean, output: CommandOutput): number {
  const store = openStore(storeDir, { mode: 'read' });
  let misses;
  let dropped;
  try {
    misses = store.misses({ since });
    dropped = store.droppedMisses({ since });
  } finally {
    store.close();
  }
  if (json) {
    output.out(JSON.stringify({ misses, dropped }));
    return 0;
  }
  if (misses.length === 0) output.out(`No recorded misses${since === undefined ? '' : ` since ${since.toISOString()}`}`);
  for (const miss of misses) {
    output.out(`${miss.path}@${miss.query}  ${plural(miss.count, 'request')}, first ${miss.firstSeen}, last ${miss.lastSeen}`);
  }
  for (const drop of dropped) {
    output.out(`dropped: ${plural(drop.count, 'request')} ${MISS_DROP_REASONS[drop.reason]}, first ${drop.firstSeen}, last ${drop.lastSeen}`);
  }
  return 0;
}

function clearMisses(storeDir: string | undefined, before: Date | undefined, output: CommandOutput): number {
  const store = openStore(storeDir, { mode: 'read' });
  let cleared;
  try {
    cleared = store.clearMisses(before);
  } finally {
    store.close();
  }
  const which = before === undefined ? '' : ` last seen before ${before.toISOString()}`;
  const drops = cleared.dropped === 0 ? '' : ', and the counts of requests dropped';
  output.out(`Cleared ${plural(cleared.misses, 'recorded miss', 'recorded misses')}${drops}${which}`);
  return 0;
}
