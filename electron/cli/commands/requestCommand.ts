import { parseArgs } from 'node:util';
import { storeRequest, writeStoreRequest } from '../../core/roundtrip/storeRequest';
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
  const options = { storeDir: values.store, since, tool: `modferry ${packageJson.version}` };
  const request = toStdout ? storeRequest(options) : await writeStoreRequest(values.out, options);
  const { requests, dropped } = request;
  for (const miss of request.askedAsLatest) {
    output.err(`note: ${miss.path}@${miss.query} cannot go in a request file; asking for ${miss.path}@latest instead`);
  }
  const droppedLine = dropped === undefined ? undefined : `${plural(dropped.count, 'request was', 'requests were')} answered but not recorded (${dropped.reasons.join(', ')})`;
  const { leftOut } = request;
  if (leftOut.requests.length > 0) {
    const lines = new Set(leftOut.requests.map((r) => `${r.path}@${r.version}`));
    output.err(`note: left out ${plural(leftOut.requests.length, 'request')} the online side could not meet (bundle ${leftOut.bundles.join(', ')}): ${[...lines].join(', ')}`);
  }
  if (request.text === undefined) {
    if (values.json) {
      output.out(JSON.stringify({ type: 'result', file: null, requests: [], dropped: dropped ?? null }));
      return 0;
    }
    say(`Nothing to request: the store answered every request, or holds what it was asked for since (${toStdout ? 'nothing written' : `${values.out} not written`})`);
    if (droppedLine !== undefined) say(`Note: ${droppedLine}`);
    return 0;
  }
  if (toStdout) output.out(request.text.replace(/\n$/, ''));
  if (values.json) {
    output.out(JSON.stringify({ type: 'result', file: values.out, requests: requests.map((r) => ({ path: r.path, version: r.version, count: r.count })), dropped: dropped ?? null }));
    return 0;
  }
  say(`Wrote ${toStdout ? 'the request file to stdout' : values.out}: ${plural(requests.length, 'module request')}`);
  for (const r of requests) say(`  ${r.path}@${r.version}  (${plural(r.count, 'request')})`);
  if (droppedLine !== undefined) say(`Note: ${droppedLine}`);
  return 0;
}
