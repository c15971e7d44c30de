import { parseArgs } from 'node:util';
import { formatBytes } from '../../../shared/bundle/formatBytes';
import type { UnmetRequest } from '../../../shared/bundle/manifest';
import { describeUnmet } from '../../../shared/roundtrip/unmetRequest';
import { signerPolicy, trustStore } from '../../core/keys/trustStore';
import { openStore } from '../../core/store/diskStore';
import { importBundle, type ImportResult } from '../../core/store/importBundle';
import type { CommandOutput } from '../output';
import { plural } from '../plural';
import { commandProgress } from '../progressReporter';
import { interruptOnSignals } from '../interrupt';
import { repairLines } from '../repairLines';
import { trustedKeysDir } from '../../core/appDirs/appDirs';
import { asVerifyFailure, onlyBundle } from './verifyCommand';

export const importUsage = `modferry import BUNDLE [--store DIR] [--trust-new-key] [--json]

Verify a bundle and add its modules to the offline store, in one pass over its volumes.
Nothing is added unless the whole bundle checks out; importing a bundle twice changes nothing.

  --store DIR      the store (default: the store in ModFerry's data folder)
  --trust-new-key  accept a signer this machine does not trust yet, and trust it from now on
                   (check its fingerprint with whoever made the bundle first)
  --json           progress and the result as JSON lines on stdout`;

export async function importCommand(args: string[], output: CommandOutput): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      store: { type: 'string' },
      'trust-new-key': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const bundleDir = onlyBundle(positionals, 'import');
  const trusted = trustStore(trustedKeysDir());
  const store = openStore(values.store, { mode: 'write' });
  const interrupt = interruptOnSignals('interrupted; nothing was imported');
  const reporter = commandProgress(output, values.json);
  let result: ImportResult;
  try {
    result = await importBundle(bundleDir, {
      store,
      trust: signerPolicy(trusted, { acceptNewSigner: values['trust-new-key'] }),
      trustStore: trusted,
      signal: interrupt.signal,
      onProgress: reporter.listener,
      onRepair: (report) => {
        if (values.json) output.out(JSON.stringify({ type: 'repair', ...report }));
        else for (const line of repairLines(report)) output.out(line);
      },
    }).catch((error: unknown) => {
      throw asVerifyFailure(error);
    });
  } finally {
    reporter.stop();
    interrupt.release();
    store.close();
  }
  if (values.json) output.out(JSON.stringify({ type: 'result', store: store.dir, ...result }));
  else printResult(result, store.dir, output);
  return 0;
}

function printResult(result: ImportResult, storeDir: string, output: CommandOutput): void {
  if (result.signerNewlyTrusted) output.out(`Trusted the new signer ${result.signer} from now on`);
  if (result.alreadyImported) {
    output.out(`${result.bundleId} is already imported into ${storeDir}: nothing to do`);
    printUnmet(result.unmet, output);
    return;
  }
  const present = result.alreadyPresent === 0 ? '' : `; ${result.alreadyPresent} the store already held`;
  output.out(`Imported ${result.bundleId} into ${storeDir}: ${plural(result.added, 'file')} added (${formatBytes(result.addedBytes)})${present}`);
  for (const file of result.restored) output.out(`Restored ${file.path}: the store's copy was damaged; it is now in ${file.quarantined}`);
  output.out(`Signed by ${result.signer}`);
  for (const head of result.proofs.heads) {
    output.out(`Checksum database ${head.db}: the store's newest tree head has ${plural(head.size, 'record')}${result.proofs.added === 0 ? '' : ` (${plural(result.proofs.added, 'proof file')} added)`}`);
  }
  printUnmet(result.unmet, output);
}

function printUnmet(unmet: readonly UnmetRequest[], output: CommandOutput): void {
  if (unmet.length === 0) return;
  output.out(`The online side could not meet ${plural(unmet.length, 'request')} (they are left out of later request files):`);
  for (const u of unmet) output.out(`  ${describeUnmet(u)}`);
}
