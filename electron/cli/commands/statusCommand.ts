import { parseArgs } from 'node:util';
import { formatBytes } from '../../../shared/bundle/formatBytes';
import { appDirs } from '../../core/appDirs/appDirs';
import { machineStatus, type MachineStatus } from '../../core/status/machineStatus';
import type { CommandOutput } from '../output';
import { plural } from '../plural';

export const statusUsage = `modferry status [--store DIR] [--json]

What ModFerry keeps on this machine: its data folder, the store (where, and what it holds),
the signers it trusts, its own signing key and the download cache. Changes nothing.

  --store DIR  the store (default: the store in ModFerry's data folder)
  --json       the same as one JSON line`;

export async function statusCommand(args: string[], output: CommandOutput): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { store: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const status = await machineStatus(appDirs(), values.store);
  if (values.json) output.out(JSON.stringify({ type: 'result', ...status }));
  else for (const line of statusLines(status)) output.out(line);
  return 0;
}

function statusLines(status: MachineStatus): string[] {
  const { store, trustedKeys, ownKey, cache } = status;
  return [
    `Data folder:    ${status.data}`,
    store.exists
      ? `Store:          ${store.dir}: ${plural(store.modules, 'module')}, ${plural(store.versions, 'version')}, ${formatBytes(store.bytes)}; ${plural(store.bundles, 'bundle')} imported`
      : `Store:          ${store.dir}: none yet ('modferry import BUNDLE' makes it)`,
    trustedKeys.length === 0 ? "Trusted keys:   none ('modferry keys trust PUBKEYFILE' adds one)" : `Trusted keys:   ${plural(trustedKeys.length, 'signer')}`,
    ...trustedKeys.map((k) => `  ${k.fingerprint}  ${k.file}`),
    ownKey === null ? "Own key:        none ('modferry keys generate' makes one; the first export does too)" : `Own key:        ${ownKey.fingerprint} (${ownKey.privateKeyFile})`,
    `Download cache: ${cache.dir}: ${plural(cache.files, 'file')}, ${formatBytes(cache.bytes)}`,
  ];
}
