import { parseArgs } from 'node:util';
import { formatBytes } from '../../../shared/bundle/formatBytes';
import { BundleVerifyError } from '../../core/bundle/bundleVerifyError';
import { bundlesOnDrive, findBundles, type FoundBundle } from '../../core/bundle/findBundles';
import { ModFerryError } from '../../core/errors/modferryError';
import { verifyBundle, type VerifiedBundle } from '../../core/bundle/verifyBundle';
import { signerPolicy, trustStore } from '../../core/keys/trustStore';
import type { CommandOutput } from '../output';
import { plural } from '../plural';
import { commandProgress } from '../progressReporter';
import { UsageError } from '../usageError';
import { trustedKeysDir } from '../../core/appDirs/appDirs';

export const verifyUsage = `modferry verify BUNDLE [--trust-new-key] [--json]

Check a bundle folder without importing it: the signature and its signer, every volume
(present, complete, unchanged) and every file in them (hashes, go.sum hashes, module zip
rules). Changes nothing. Given a drive (a folder holding bundle folders), it lists them.

  --trust-new-key  check a bundle signed by a key this machine does not trust yet
                   (the key is not added; 'modferry import --trust-new-key' does that)
  --json           progress and the result as JSON lines on stdout`;

export async function verifyCommand(args: string[], output: CommandOutput): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { 'trust-new-key': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  });
  const bundleDir = onlyBundle(positionals, 'verify');
  const onDrive = await bundlesOnDrive(bundleDir);
  if (onDrive.length > 0) {
    const message = `${bundleDir} is not a bundle, but holds ${plural(onDrive.length, 'bundle')}: verify ${onDrive.length === 1 ? 'it' : 'each'} by its folder`;
    if (values.json) {
      output.out(JSON.stringify({ type: 'error', kind: 'usage', message, file: bundleDir, bundles: onDrive }));
    } else {
      output.err(`modferry verify: ${message}`);
      for (const found of await findBundles(bundleDir, trustStore(trustedKeysDir()))) output.err(`  modferry verify ${found.dir}${whatIsWrong(found)}`);
    }
    return 2;
  }
  const policy = signerPolicy(trustStore(trustedKeysDir()), { acceptNewSigner: values['trust-new-key'] });
  const reporter = commandProgress(output, values.json);
  let verified: VerifiedBundle;
  try {
    verified = await verifyBundle(bundleDir, { trust: policy, onProgress: reporter.listener }).catch((error: unknown) => {
      throw asVerifyFailure(error);
    });
  } finally {
    reporter.stop();
  }
  const { manifest, signer } = verified;
  const bytes = manifest.volumes.reduce((sum, volume) => sum + volume.size, 0);
  if (values.json) {
    output.out(JSON.stringify({
      type: 'result',
      bundleId: manifest.bundleId,
      createdAt: manifest.createdAt,
      files: manifest.entries.length,
      volumes: manifest.volumes.length,
      bytes,
      signer: signer.fingerprint,
      signerTrusted: !signer.newlyTrusted,
    }));
    return 0;
  }
  output.out(`Verified ${manifest.bundleId}: ${plural(manifest.entries.length, 'file')} in ${plural(manifest.volumes.length, 'volume')} (${formatBytes(bytes)}), made ${manifest.createdAt}`);
  output.out(
    signer.newlyTrusted
      ? `Signed by ${signer.fingerprint}, which this machine does not trust yet: check the fingerprint with the bundle's maker`
      : `Signed by ${signer.fingerprint} (trusted)`,
  );
  return 0;
}

/** The one BUNDLE folder a command takes. */
export function onlyBundle(positionals: readonly string[], command: string): string {
  const [bundleDir, ...extra] = positionals;
  if (bundleDir === undefined) throw new UsageError(`${command} needs the BUNDLE folder (the one holding manifest.json)`);
  if (extra.length > 0) throw new UsageError(`${command} takes one BUNDLE folder, got ${positionals.length}`);
  return bundleDir;
}

/** A verification failure as one line that names the volume and the file inside it, when there are. */
export function asVerifyFailure(error: unknown): unknown {
  if (!(error instanceof BundleVerifyError)) return error;
  const where = [error.file, error.volume === undefined ? undefined : `volume ${error.volume}`, error.entry === undefined ? undefined : `file ${error.entry}`]
    .filter((part) => part !== undefined)
    .join(', ');
  return new ModFerryError('bundle', error.reason, error.fields, { cause: error, message: `bundle refused: ${where === '' ? '' : `${where}: `}${error.reason}` });
}

/** Where progress goes: rewritten in place on a terminal, otherwise one line per update on the command's error output. */

/** What a look at the folder already shows wrong with a bundle on a drive: missing or cut volumes, an unreadable manifest or signature. */
function whatIsWrong(found: FoundBundle): string {
  const wrong = [
    ...(found.volumes?.missing.length ? [`missing ${found.volumes.missing.join(', ')}`] : []),
    ...(found.volumes?.problems ?? []).map((p) => `${p.volume}: ${p.reason}`),
    ...(found.problem === undefined ? [] : [found.problem.message]),
  ];
  return wrong.length === 0 ? '' : `  (${wrong.join('; ')})`;
}
