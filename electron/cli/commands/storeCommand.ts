import { parseArgs } from 'node:util';
import { formatBytes } from '../../../shared/bundle/formatBytes';
import { trustedKeysDir } from '../../core/appDirs/appDirs';
import { trustedSignersOnly, trustStore } from '../../core/keys/trustStore';
import { checkStore, type StoreCheckReport } from '../../core/store/checkStore';
import { repairCheckedStore, soundAfter, type StoreCheckResult, type StoreRepairReport } from '../../core/store/repairCheckedStore';
import { openStore } from '../../core/store/diskStore';
import type { CommandOutput } from '../output';
import { plural } from '../plural';
import { commandProgress } from '../progressReporter';
import { interruptOnSignals } from '../interrupt';
import { UsageError } from '../usageError';

export const storeUsage = `modferry store check [--store DIR] [--repair] [--bundle DIR]... [--json]

Re-hash every file of the store against its catalog and report the damaged ones (size or
sha256 not the catalog's), the missing ones, and files in tree/ the catalog does not list.
Changes nothing, takes no lock: it can run while 'modferry serve' serves the store.
Exit status 0 when the store is sound, 1 when it is not.

  --store DIR   the store (default: the store in ModFerry's data folder)
  --repair      holding the store lock, restore damaged and missing files from the bundles
                given with --bundle (verified in full, signed by a trusted key); a damaged
                copy is moved to the store's quarantine/ folder. A file no bundle carries is
                forgotten, so the proxy stops serving it and the next request for it is a miss;
                files the catalog does not list are moved to quarantine/. Nothing is deleted.
                Exit status 0 when everything found was restored.
  --bundle DIR  a bundle folder to take good copies from (repeat for several)
  --json        progress and the result as JSON lines on stdout`;

export async function storeCommand(args: string[], output: CommandOutput): Promise<number> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'check':
      return check(rest, output);
    case undefined:
      throw new UsageError('store needs a subcommand: check');
    default:
      throw new UsageError(`store: unknown subcommand "${subcommand}" (expected check)`);
  }
}

async function check(args: string[], output: CommandOutput): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      store: { type: 'string' },
      repair: { type: 'boolean', default: false },
      bundle: { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.bundle.length > 0 && !values.repair) throw new UsageError('--bundle is for --repair: a check alone reads no bundle');
  // A check changes nothing and needs no lock, so it also runs on read-only media and beside a running serve.
  const store = openStore(values.store, { mode: values.repair ? 'write' : 'read' });
  const { layout, catalog } = store;
  const interrupt = interruptOnSignals('interrupted; the store was not changed');
  const reporter = commandProgress(output, values.json);
  let result: StoreCheckResult;
  try {
    const work = { signal: interrupt.signal, onProgress: reporter.listener };
    if (values.repair) {
      result = await repairCheckedStore(layout, catalog, { ...work, bundles: values.bundle, trust: trustedSignersOnly(trustStore(trustedKeysDir())) });
    } else {
      result = { check: await checkStore(layout, catalog, work) };
    }
  } finally {
    reporter.stop();
    interrupt.release();
    store.close();
  }
  const sound = soundAfter(result);
  if (values.json) {
    output.out(JSON.stringify({ type: 'result', store: layout.dir, sound, ...result }));
  } else {
    printCheck(result.check, layout.dir, output);
    if (result.repair !== undefined) printRepair(result.repair, output);
    else if (!sound) output.out("Run 'modferry store check --repair' (with --bundle DIR for a bundle that holds the damaged or missing files) to repair it.");
  }
  return sound ? 0 : 1;
}

function printCheck(report: StoreCheckReport, storeDir: string, output: CommandOutput): void {
  for (const { file, found, why } of report.damaged) {
    const hashes = found === undefined ? '' : `: sha256 ${found.sha256}, the catalog says ${file.sha256}`;
    output.out(`damaged: ${file.path} (${file.modulePath}@${file.version}): ${why}${hashes}`);
  }
  for (const file of report.missing) output.out(`missing: ${file.path} (${file.modulePath}@${file.version})`);
  for (const treePath of report.stray) output.out(`not in the catalog: tree/${treePath}`);
  const { proofs } = report;
  for (const { path: proofPath, why } of proofs.damaged) output.out(`damaged: ${proofPath}: ${why}`);
  for (const proofPath of proofs.missing) output.out(`missing: ${proofPath}`);
  for (const proofPath of proofs.stray) output.out(`not in the catalog: ${proofPath}`);
  for (const { db, size, why } of proofs.damagedHeads) output.out(`damaged: sumdb/${db}/latest (the tree head of ${size} records, in the catalog): ${why}`);
  const withProofs = proofs.files === 0 ? '' : ` and ${plural(proofs.files, 'checksum database proof')}`;
  const checked = `Checked ${plural(report.files, 'file')} (${formatBytes(report.bytes)})${withProofs} in ${storeDir}`;
  const problems = [
    [report.damaged.length + proofs.damaged.length + proofs.damagedHeads.length, 'damaged'],
    [report.missing.length + proofs.missing.length, 'missing'],
    [report.stray.length + proofs.stray.length, 'not in the catalog'],
  ] as const;
  const found = problems.filter(([count]) => count > 0).map(([count, what]) => `${count} ${what}`);
  output.out(found.length === 0 ? `${checked}: the store is sound` : `${checked}: ${found.join(', ')}`);
}

function printRepair(repair: StoreRepairReport, output: CommandOutput): void {
  for (const { file, bundleId } of repair.restored) output.out(`restored: ${file.path} (${file.modulePath}@${file.version}) from ${bundleId}`);
  for (const { file, was } of repair.forgotten) {
    output.out(
      `forgotten: ${file.path} (${file.modulePath}@${file.version}), ${was} and in no bundle given: ` +
        `bring a bundle holding ${file.modulePath}@${file.version} (it came with ${file.bundleId})`,
    );
  }
  for (const { db, path: proofPath, bundleId } of repair.proofsRestored) output.out(`restored: ${proofPath} (checksum database ${db}) from ${bundleId}`);
  for (const { db, path: proofPath, was } of repair.proofsForgotten) {
    output.out(`forgotten: ${proofPath} (checksum database ${db}), ${was} and in no bundle given: import or give with --bundle a bundle that carries it`);
  }
  for (const { db, size, bundleId } of repair.headsRestored) output.out(`restored: sumdb/${db}/latest (the tree head of ${size} records) from ${bundleId}`);
  for (const { db, size } of repair.headsDamaged) {
    output.out(`still damaged: sumdb/${db}/latest (the tree head of ${size} records), kept: give with --bundle a bundle that carries this head to restore it`);
  }
  if (repair.quarantineDir !== undefined) output.out(`Moved ${plural(repair.quarantined.length, 'file')} to ${repair.quarantineDir} (nothing was deleted)`);
  const short = [
    ...(repair.forgotten.length === 0 ? [] : [`${plural(repair.forgotten.length, 'file is', 'files are')} no longer served; the next request file asks for them once a client misses them`]),
    ...(repair.proofsForgotten.length === 0 ? [] : [`${plural(repair.proofsForgotten.length, 'checksum database proof is', 'checksum database proofs are')} no longer served`]),
    ...(repair.headsDamaged.length === 0 ? [] : [`${plural(repair.headsDamaged.length, 'tree head is', 'tree heads are')} still damaged`]),
  ];
  output.out(short.length === 0 ? 'Repaired: the store is sound' : `Not fully repaired: ${short.join('; ')}`);
}
