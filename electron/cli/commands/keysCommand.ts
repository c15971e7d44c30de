import { parseArgs } from 'node:util';
import { signingKeysDir, trustedKeysDir } from '../../core/appDirs/appDirs';
import { generateSigningKey, ownSigningKey } from '../../core/keys/signingKey';
import { trustStore } from '../../core/keys/trustStore';
import type { CommandOutput } from '../output';
import { UsageError } from '../usageError';

export const keysUsage = `modferry keys generate [--dir DIR]
modferry keys show [--json]
modferry keys trust PUBKEYFILE [--json]
modferry keys untrust FINGERPRINT [--json]
modferry keys list [--json]

Bundles are signed on the online machine and checked on the offline one.

  generate    create a signing key on the online machine (default folder: ModFerry's data
              folder/keys); prints its fingerprint and the public key file to carry over
  show        this machine's signing key: its fingerprint and files (--json: as JSON)
  trust       on the offline machine: trust the signer whose public key is in PUBKEYFILE
              (check its fingerprint with whoever runs the online machine first; --json: as JSON)
  untrust     stop trusting the signer with FINGERPRINT (as 'keys list' shows it): its bundles
              are refused from now on; what was imported from them stays in the store (--json: as JSON)
  list        the signers this machine trusts (--json: as JSON)`;


export async function keysCommand(args: string[], output: CommandOutput): Promise<number> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'generate':
      return generate(rest, output);
    case 'show':
      return show(rest, output);
    case 'trust':
      return trust(rest, output);
    case 'untrust':
      return untrust(rest, output);
    case 'list':
      return list(rest, output);
    case undefined:
      throw new UsageError('keys needs a subcommand: generate, show, trust, untrust or list');
    default:
      throw new UsageError(`keys: unknown subcommand "${subcommand}" (expected generate, show, trust, untrust or list)`);
  }
}

async function generate(args: string[], output: CommandOutput): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { dir: { type: 'string' } } });
  const { signingKey, privateKeyFile, publicKeyFile } = await generateSigningKey(values.dir ?? signingKeysDir());
  output.out(`Created a signing key: ${privateKeyFile} (keep it on this machine)`);
  output.out(`Fingerprint: ${signingKey.fingerprint}`);
  output.out(`Public key: ${publicKeyFile}`);
  output.out("Carry the public key to the offline machine and run 'modferry keys trust' on it; compare the fingerprint it prints with this one.");
  return 0;
}

async function show(args: string[], output: CommandOutput): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { json: { type: 'boolean', default: false } } });
  const own = await ownSigningKey(signingKeysDir());
  if (values.json) {
    output.out(JSON.stringify({ type: 'result', fingerprint: own.key.fingerprint, privateKeyFile: own.privateKeyFile, publicKeyFile: own.publicKeyFile ?? null }));
    return 0;
  }
  output.out(`Fingerprint: ${own.key.fingerprint}`);
  output.out(`Private key: ${own.privateKeyFile} (keep it on this machine)`);
  output.out(own.publicKeyFile === undefined
    ? "Public key:  not beside the private key; every bundle carries a copy as signer.pub.pem"
    : `Public key:  ${own.publicKeyFile} (carry it to the offline machine: 'modferry keys trust FILE')`);
  return 0;
}

async function trust(args: string[], output: CommandOutput): Promise<number> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  const [file, ...extra] = positionals;
  if (file === undefined) throw new UsageError('keys trust needs the PUBKEYFILE to trust');
  if (extra.length > 0) throw new UsageError(`keys trust takes one PUBKEYFILE, got ${positionals.length}`);
  const trusted = await trustStore(trustedKeysDir()).trust(file);
  if (values.json) output.out(JSON.stringify({ type: 'result', fingerprint: trusted.fingerprint, file: trusted.file }));
  else output.out(`Trusted ${trusted.fingerprint} (stored as ${trusted.file})`);
  return 0;
}

async function untrust(args: string[], output: CommandOutput): Promise<number> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  const [fingerprint, ...extra] = positionals;
  if (fingerprint === undefined) throw new UsageError('keys untrust needs the FINGERPRINT of the signer to stop trusting');
  if (extra.length > 0) throw new UsageError(`keys untrust takes one FINGERPRINT, got ${positionals.length}`);
  const removed = await trustStore(trustedKeysDir()).untrust(fingerprint);
  if (values.json) output.out(JSON.stringify({ type: 'result', fingerprint: removed.fingerprint, file: removed.file }));
  else output.out(`No longer trusted: ${removed.fingerprint} (removed ${removed.file}); its bundles are refused from now on`);
  return 0;
}

async function list(args: string[], output: CommandOutput): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { json: { type: 'boolean', default: false } } });
  const dir = trustedKeysDir();
  const keys = await trustStore(dir).list();
  if (values.json) {
    output.out(JSON.stringify({ type: 'result', dir, keys: keys.map((k) => ({ fingerprint: k.fingerprint, file: k.file })) }));
    return 0;
  }
  if (keys.length === 0) {
    output.out(`No trusted signers yet (${dir}); add one with 'modferry keys trust PUBKEYFILE'`);
    return 0;
  }
  for (const key of keys) output.out(`${key.fingerprint}  ${key.file}`);
  return 0;
}
