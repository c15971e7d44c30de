import { parseArgs } from 'node:util';
import { formatBytes } from '../../../shared/bundle/formatBytes';
import { MIN_VOLUME_BYTES } from '../../../shared/bundle/volumePlan';
import type { PlanWarning, ShipReason } from '../../../shared/export/planNotes';
import { planWarningText, shipReasonText } from '../../../shared/export/planNotesText';
import { NoUpstreamError, upstreamProxyList } from '../../core/upstream/upstreamDefault';
import { checksumDatabaseFromEnv } from '../../core/upstream/checksumDatabaseDefault';
import type { PlanProofs } from '../../../shared/export/exportPlan';
import { parseSize } from '../../../shared/work/parseSize';
import { parsePlatformList, PlatformListError } from '../../../shared/gomod/goPlatforms';
import { formatToolchains, groupToolchains, TOOLCHAIN_MODULE, toolchainNameProblem } from '../../../shared/gomod/goToolchain';
import { appDirs, type AppDirs } from '../../core/appDirs/appDirs';
import { recentExports } from '../../core/catalog/exportHistory';
import { exportBundle, type ExportBundleResult } from '../../core/export/exportBundle';
import type { GoProofSkipped } from '../../core/export/runExport';
import { ExportInterruptedError } from '../../core/export/exportInterrupted';
import type { ExportPlan } from '../../core/export/exportPlan';
import { planExport } from '../../core/export/planExport';
import { errorRecord } from '../../core/errors/modferryError';
import { describeUnmet } from '../../../shared/roundtrip/unmetRequest';
import { commandProgress } from '../progressReporter';
import { interruptOnSignals } from '../interrupt';
import { UsageError } from '../usageError';
import type { CommandOutput } from '../output';
import { plural } from '../plural';
import packageJson from '../../../package.json';

export const exportUsage = `modferry export [--project DIR]... [--go-mod FILE]... [--module PATH@VERSION]... [--request FILE]
                [--toolchain GOVERSION]... [--platform GOOS/GOARCH,...]
                (--out DIR | --plan) [--upstream LIST] [--volume-size SIZE] [--since FILE] [--key FILE]
                [--no-check] [--strict] [--verbose] [--json]

Resolve everything the offline go command needs for the given projects and modules, download it
from the upstream Go module proxy, verify every hash, and write a signed bundle into DIR, then read
it back to prove it.

  --project DIR          a Go project folder: its go.mod and go.sum, and 'go build ./...' in the check
  --go-mod FILE          a go.mod file (its go.sum is used when it sits beside it)
  --module PATH@VERSION  a module by itself; PATH@latest asks the upstream for the latest version
  --request FILE         a request file written on the offline side by 'modferry request'
  --toolchain GOVERSION  a Go toolchain (go1.22.3, go1.23rc1) as golang.org/toolchain, for the go
                         command's GOTOOLCHAIN=auto; the toolchain each go.mod's go and toolchain
                         lines switch to is carried too
  --platform LIST        the goos/goarch pairs to carry toolchains for, e.g.
                         linux/amd64,windows/amd64 (default: the toolchainPlatforms setting, else
                         this machine's)
  --out DIR              where the bundle folder is written: an existing folder, normally on a
                         removable drive (a warning says when it is not)
  --plan                 resolve, download and verify, then print what would ship and write nothing
                         (with --out, also check the destination has room for it)
  --upstream LIST        a GOPROXY list (',' and '|' as the go command reads them); default: $GOPROXY
  --volume-size SIZE     largest volume, e.g. 700M or 4G (default: just under 4 GiB on FAT,
                         one volume on other file systems)
  --since FILE           an inventory from 'modferry inventory': leave out what the offline store holds
  --key FILE             the signing key (default: created in ModFerry's data folder on first use)
  --no-check             skip proving the bundle with the real go command
  --strict               fail when any request-file line or go.mod's toolchain cannot be met (by
                         default such lines are left out, reported, and recorded in the bundle for
                         the offline side)
  --verbose              list every module version the bundle carries and what needs it
  --json                 progress and the result as JSON lines on stdout (errors too)`;

export async function exportCommand(args: string[], output: CommandOutput): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      project: { type: 'string', multiple: true },
      'go-mod': { type: 'string', multiple: true },
      module: { type: 'string', multiple: true },
      request: { type: 'string', multiple: true },
      toolchain: { type: 'string', multiple: true },
      platform: { type: 'string', multiple: true },
      out: { type: 'string' },
      plan: { type: 'boolean', default: false },
      upstream: { type: 'string' },
      'volume-size': { type: 'string' },
      since: { type: 'string' },
      key: { type: 'string' },
      'no-check': { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.out && !values.plan) throw new UsageError('--out DIR is required (or --plan to see what would ship)');
  const upstream = upstreamOption(values.upstream);
  const checksumDatabase = checksumDatabaseFromEnv(process.env);
  for (const name of values.toolchain ?? []) {
    const problem = toolchainNameProblem(name);
    if (problem !== undefined) throw new UsageError(`--toolchain ${name}: ${problem}`);
  }
  const toolchainPlatforms = values.platform === undefined ? undefined : platformsOption(values.platform);
  const volumeSize = values['volume-size'] === undefined ? undefined : parseSize(values['volume-size']);
  if (values['volume-size'] !== undefined && volumeSize === undefined) {
    throw new UsageError(`--volume-size ${values['volume-size']}: expected a size like 700M, 4G or a byte count`);
  }
  if (volumeSize !== undefined && volumeSize < MIN_VOLUME_BYTES) {
    throw new UsageError(`--volume-size ${values['volume-size']}: a volume holds at least ${MIN_VOLUME_BYTES} bytes (one tar header and the end-of-archive blocks)`);
  }
  const dirs = appDirs();
  if (!values.since && !values.json && !values.plan) showHistory(dirs, output);

  const interrupt = interruptOnSignals('interrupted');
  const reporter = commandProgress(output, values.json);
  const shown = new Set<string>();
  try {
    const request = {
      projectDirs: values.project,
      goModFiles: values['go-mod'],
      modules: values.module,
      requestFiles: values.request,
      toolchains: values.toolchain,
      toolchainPlatforms,
      upstream,
      checksumDatabase,
      sinceInventory: values.since,
      strict: values.strict,
      dirs,
      signal: interrupt.signal,
      onProgress: reporter.listener,
      onWarning: values.json ? undefined : (warning: PlanWarning) => {
        const text = planWarningText(warning);
        shown.add(text);
        output.err(`warning: ${text}`);
      },
    };
    if (values.plan) {
      const plan = await planExport(request, { ...request, outDir: values.out, volumeSize });
      reporter.stop();
      if (values.json) output.out(JSON.stringify({ type: 'plan', ...plan, ...inWords(plan) }));
      else printPlan({ ...plan, warnings: plan.warnings.filter((w) => !shown.has(planWarningText(w))) }, output);
      return 0;
    }
    const result = await exportBundle({
      ...request,
      outDir: values.out!,
      volumeSize,
      keyFile: values.key,
      check: !values['no-check'],
      toolVersion: packageJson.version,
    });
    reporter.stop();
    if (values.json) output.out(JSON.stringify({ type: 'result', ...result, ...inWords(result), check: result.check.status === 'passed' ? result.check : { ...result.check, reason: skipReason(result.check.reason) } }));
    else printResult({ ...result, warnings: result.warnings.filter((w) => !shown.has(planWarningText(w))) }, values.verbose, output);
    return 0;
  } catch (error) {
    if (!(error instanceof ExportInterruptedError)) throw error;
    if (values.json) output.out(JSON.stringify(errorRecord(error)));
    else output.err(`modferry export: ${error.message}`);
    // 128 + SIGINT, as a shell reports a command stopped by Ctrl-C.
    return 130;
  } finally {
    reporter.stop();
    interrupt.release();
  }
}

/** --json keeps its sentences: the reasons and warnings in English, as the rest of the CLI prints them. */
function inWords(found: { modules: ReadonlyArray<{ reason: ShipReason }>; warnings: readonly PlanWarning[] }): { modules: unknown[]; warnings: string[] } {
  return {
    modules: found.modules.map((m) => ({ ...m, reason: shipReasonText(m.reason) })),
    warnings: found.warnings.map(planWarningText),
  };
}

function showHistory(dirs: AppDirs, output: CommandOutput): void {
  const recent = recentExports(dirs, 5);
  if (recent.length === 0) return;
  output.err('Earlier exports from this machine (pass --since INVENTORY to leave out what the offline store already holds):');
  for (const r of recent) {
    output.err(`  ${r.bundleId}  ${r.createdAt}  ${plural(r.modules, 'module')}, ${formatBytes(r.bytes)} -> ${r.outDir}`);
  }
}

function printResult(result: ExportBundleResult, verbose: boolean, output: CommandOutput): void {
  if (result.signer.created) {
    output.out(`Created a signing key ${result.signer.keyFile}`);
    output.out(`  fingerprint ${result.signer.fingerprint}: trust it on the offline side with 'modferry keys trust' (public key beside it)`);
  }
  for (const warning of result.warnings) output.out(`warning: ${planWarningText(warning)}`);
  const zips = result.modules.filter((m) => m.zip).length;
  output.out(`Resolved ${plural(result.modules.length, 'module version')} (${zips} with ${zips === 1 ? 'a source zip' : 'source zips'})`);
  if (verbose) {
    for (const m of result.modules) output.out(`  ${m.path}@${m.version}${m.zip ? '' : ' (go.mod only)'}  <- ${m.neededBy.join(', ')}`);
  }
  const toolchains = groupToolchains(result.modules.filter((m) => m.path === TOOLCHAIN_MODULE).map((m) => m.version));
  if (toolchains.length > 0) output.out(`Go toolchains: ${formatToolchains(toolchains)}`);
  if (result.unmet.length > 0) {
    output.out(`Could not meet ${plural(result.unmet.length, 'request')} (left out; the offline side is told):`);
    for (const u of result.unmet) output.out(`  ${describeUnmet(u)}`);
  }
  if (result.leftOut > 0) output.out(`Left out ${plural(result.leftOut, 'file')} the offline store already holds (--since)`);
  if (result.proofs !== undefined) output.out(describeProofs(result.proofs, 'Carries'));
  output.out(result.check.status === 'passed'
    ? 'Checked: the offline go command resolves every project from the bundle alone'
    : `Not checked with the go command: ${skipReason(result.check.reason)}`);
  output.out(`Wrote ${result.bundleDir}: ${plural(result.files, 'file')}, ${formatBytes(result.bytes)} in ${plural(result.volumes, 'volume')}, signed by ${result.signer.fingerprint}, read back and verified`);
}

function describeProofs(proofs: PlanProofs, verb: string): string {
  if (proofs.status === 'unavailable') return `${verb} no checksum-database proofs: ${proofs.database} could not be asked`;
  const privately = proofs.private > 0 ? `; ${plural(proofs.private, 'private module version')} (GONOSUMDB/GOPRIVATE) without` : '';
  const tree = proofs.treeSize === undefined ? '' : ` against its signed tree of ${proofs.treeSize} records`;
  const earlier = (proofs.earlierHeads ?? []).length === 0 ? '' : `, which it proves extends the earlier trees of ${proofs.earlierHeads!.join(', ')} records`;
  return `${verb} checksum-database proofs for ${plural(proofs.versions, 'module version')} from ${proofs.database}${tree}${earlier}${privately}`;
}

function skipReason(reason: GoProofSkipped['reason']): string {
  switch (reason) {
    case 'not-asked':
      return '--no-check was given';
    case 'no-go':
      return 'no go command on PATH';
    case 'go-too-old':
      return "this machine's go command is too old for every project's go.mod (see the warnings)";
  }
}

function printPlan(plan: ExportPlan, output: CommandOutput): void {
  for (const warning of plan.warnings) output.out(`warning: ${planWarningText(warning)}`);
  output.out(`Would ship ${plural(plan.totals.modules, 'module version')} (${plan.totals.zips} with ${plan.totals.zips === 1 ? 'a source zip' : 'source zips'}): ${plural(plan.totals.files, 'file')}, ${formatBytes(plan.totals.bytes)}`);
  for (const m of plan.modules) {
    const size = formatBytes(m.files.filter((f) => !f.heldOffline).reduce((sum, f) => sum + f.size, 0));
    const carried = m.files.every((f) => f.heldOffline) ? ', held offline: left out' : m.files.some((f) => f.exportedIn !== undefined) ? `, exported before in ${[...new Set(m.files.flatMap((f) => (f.exportedIn === undefined ? [] : [f.exportedIn])))].join(', ')}` : '';
    output.out(`  ${m.path}@${m.version}${m.zip ? '' : ' (go.mod only)'}  ${size}${carried}  <- ${m.neededBy.join(', ')}: ${shipReasonText(m.reason)}`);
  }
  const { heldOffline, exportedBefore } = plan.alreadyCarried;
  if (heldOffline.files > 0) output.out(`Left out ${plural(heldOffline.files, 'file')} (${formatBytes(heldOffline.bytes)}) the offline store already holds (--since)`);
  if (exportedBefore.files > 0) {
    output.out(`Shipping again ${plural(exportedBefore.files, 'file')} (${formatBytes(exportedBefore.bytes)}) earlier exports carried (${exportedBefore.bundles.join(', ')}); pass --since INVENTORY to leave out what the offline store holds`);
  }
  if (plan.proofs !== undefined) output.out(describeProofs(plan.proofs, 'Would carry'));
  if (plan.unmet.length > 0) {
    output.out(`Could not meet ${plural(plan.unmet.length, 'request')} (would be left out; the offline side is told):`);
    for (const u of plan.unmet) output.out(`  ${describeUnmet(u)}`);
  }
  output.out('Nothing written (--plan); every file is downloaded and verified in the download cache for the export');
}

/** Every --platform list, joined; a bad entry is a usage mistake naming it. */
function platformsOption(lists: readonly string[]): string[] {
  try {
    return [...new Set(lists.flatMap((list) => parsePlatformList(list)))];
  } catch (error) {
    if (error instanceof PlatformListError) throw new UsageError(`--platform ${error.platform === '' ? lists.join(',') : error.platform}: ${error.reason}`);
    throw error;
  }
}

/** The upstream list, refused as a usage mistake when neither --upstream nor GOPROXY names a proxy. */
function upstreamOption(given: string | undefined): string {
  try {
    return upstreamProxyList(given, process.env);
  } catch (error) {
    if (error instanceof NoUpstreamError) throw new UsageError(`no upstream: give --upstream URL or set GOPROXY${error.setting === 'off' ? ' to a proxy (it is off)' : ''}`);
    throw error;
  }
}
