import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatRequestFile } from '../../../shared/roundtrip/requestFile';
import { writeFileDurably } from '../../core/fsutil/durableFile';
import { openStore } from '../../core/store/diskStore';
import { droppedRequests, pendingRequests } from '../../core/store/pendingRequests';
import type { CommandOutput } from '../output';
import { plural } from '../plural';
import { parseTimeOption, TIME_OPTION_HELP } from '../timeOption';
import { UsageError } from '../usageError';
import packageJson from '../../../package.json';

export const requestUsage = `modferry request [--store DIR] [--since TIME] --out FILE [--json]

Write a request file: the modules developers asked the offline proxy for that the store
does not hold. Carry it to the online machine and run 'modferry export --request FILE'.
Nothing is written when there is nothing to ask for. The file also says how many requests
were answered but not recorded (junk, or past the cap on distinct misses).

  --store DIR   the store (default: the store in ModFerry's data folder)
  --since TIME  only requests seen since TIME: ${TIME_OPTION_HELP}
  --out FILE    where to write the request file; - writes it to stdout (and the rest to stderr)
  --json        the result as one JSON line

See 'modferry misses' to list the recorded requests and to clear them.`;

export async function requestCommand(args: string[], output: CommandOutput): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { store: { type: 'string' }, out: { type: 'string' }, since: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (!values.out) throw new UsageError('--out FILE is required');
  if (values.out === '-' && values.json) throw new UsageError('--out - and --json both write to stdout: give one');
  const toStdout = values.out === '-';
  // With the request file on stdout, everything said about it goes to stderr.
  const say = toStdout ? output.err : output.out;
  const since = values.since === undefined ? undefined : parseTimeOption('--since', values.since);
  const store = openStore(values.store, { mode: 'read' });
  let pending;
  let dropped;
  let unmet;
  try {
    unmet = store.catalog.unmetRequests();
    pending = pendingRequests(store.misses({ since }), {
      holdsModule: (path) => store.versions(path).length > 0,
      holdsVersion: (path, version) => (['info', 'mod', 'zip'] as const).every((kind) => store.file(path, version, kind) !== undefined),
    }, unmet);
    dropped = droppedRequests(store.droppedMisses({ since }), store.missCap);
  } finally {
    store.close();
  }
  for (const miss of pending.askedAsLatest) {
    output.err(`note: ${miss.path}@${miss.query} cannot go in a request file; asking for ${miss.path}@latest instead`);
  }
  const droppedLine = dropped === undefined ? undefined : `${plural(dropped.count, 'request was', 'requests were')} answered but not recorded (${dropped.reasons.join(', ')})`;
  if (pending.unmet.length > 0) {
    const lines = new Set(pending.unmet.map((r) => `${r.path}@${r.version}`));
    const bundles = [...new Set(unmet.filter((u) => lines.has(`${u.path}@${u.version}`)).map((u) => u.bundleId))];
    output.err(`note: left out ${plural(pending.unmet.length, 'request')} the online side could not meet (bundle ${bundles.join(', ')}): ${[...lines].join(', ')}`);
  }
  if (pending.requests.length === 0) {
    if (values.json) {
      output.out(JSON.stringify({ type: 'result', file: null, requests: [], dropped: dropped ?? null }));
      return 0;
    }
    say(`Nothing to request: the store answered every request, or holds what it was asked for since (${toStdout ? 'nothing written' : `${values.out} not written`})`);
    if (droppedLine !== undefined) say(`Note: ${droppedLine}`);
    return 0;
  }
  const text = formatRequestFile(pending.requests, {
    createdAt: new Date().toISOString(),
    tool: `modferry ${packageJson.version}`,
    since: since?.toISOString(),
    dropped,
  });
  if (toStdout) {
    output.out(text.replace(/\n$/, ''));
  } else {
    await mkdir(path.dirname(path.resolve(values.out)), { recursive: true });
    await writeFileDurably(values.out, text);
  }
  if (values.json) {
    const requests = pending.requests.map((r) => ({ path: r.path, version: r.version, count: r.count }));
    output.out(JSON.stringify({ type: 'result', file: values.out, requests, dropped: dropped ?? null }));
    return 0;
  }
  say(`Wrote ${toStdout ? 'the request file to stdout' : values.out}: ${plural(pending.requests.length, 'module request')}`);
  for (const request of pending.requests) say(`  ${request.path}@${request.version}  (${plural(request.count, 'request')})`);
  if (droppedLine !== undefined) say(`Note: ${droppedLine}`);
  return 0;
}
