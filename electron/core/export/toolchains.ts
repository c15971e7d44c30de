/**
 * The Go toolchains an export carries: those --toolchain names, and those the go and toolchain lines
 * of the exported go.mod files make a go command switch to (GOTOOLCHAIN=auto), for each platform
 * chosen. They ship as the `golang.org/toolchain` module versions the go command downloads.
 */
import type { ShipReason } from '../../../shared/export/planNotes';
import { shipReasonText } from '../../../shared/export/planNotesText';
import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import { platformProblem } from '../../../shared/gomod/goPlatforms';
import { neededToolchain, TOOLCHAIN_MODULE, toolchainModuleVersion, toolchainNameProblem } from '../../../shared/gomod/goToolchain';
import type { BundleInput, UnmetRequest } from '../../../shared/bundle/manifest';
import type { AppDirs } from '../appDirs/appDirs';
import { ModFerryError } from '../errors/modferryError';
import type { Resolution } from '../resolve/resolveRequirements';
import { ModuleNotFoundError } from '../upstream/errors';
import type { UpstreamClient } from '../upstream/upstreamClient';
import { hostPlatform } from './hostPlatform';
import type { PendingRoot } from './exportInputs';

/** One toolchain module version to ship, and why. */
export interface WantedToolchain {
  module: ModuleVersion;
  /** The toolchain's name (go1.22.3) and the goos/goarch it is built for. */
  toolchain: string;
  platform: string;
  reason: ShipReason;
  /** The go.mod files that need it, or `--toolchain`. */
  neededBy: string[];
  /** Asked for by name (--toolchain): the upstream lacking it stops the export, as a --module would. */
  demanded: boolean;
  /** Where a go.mod asked for it, for the unmet line when the upstream lacks it. */
  file?: string;
  line?: number;
}

/**
 * The platforms to carry toolchains for: those given, else the settings', else this machine's (none
 * when the go command builds no toolchain for it).
 */
export async function toolchainPlatforms(dirs: AppDirs, given: readonly string[] | undefined): Promise<string[]> {
  const host = hostPlatform();
  // The settings (and their schema library) load only for an export that carries a toolchain: loading them weighs on start-up.
  const fromSettings = async (): Promise<string[] | null> => (await (await import('../settings/settingsFile.js')).readSettings(dirs)).settings.toolchainPlatforms;
  const platforms = given !== undefined && given.length > 0 ? [...new Set(given)] : ((await fromSettings()) ?? (platformProblem(host) === undefined ? [host] : []));
  for (const platform of platforms) {
    const problem = platformProblem(platform);
    if (problem !== undefined) throw new ModFerryError('input', `toolchain platform ${platform}: ${problem}`);
  }
  return platforms;
}

/** Refuses a name no `golang.org/toolchain` version can have, naming it. */
export function requireToolchainNames(names: readonly string[]): void {
  for (const name of names) {
    const problem = toolchainNameProblem(name);
    if (problem !== undefined) throw new ModFerryError('input', `toolchain ${name}: ${problem}`);
  }
}

/** What to ship for the named toolchains and the go.mod roots, one per toolchain and platform. */
export function wantedToolchains(names: readonly string[], roots: readonly PendingRoot[], platforms: readonly string[]): WantedToolchain[] {
  const wanted = new Map<string, WantedToolchain>();
  const add = (name: string, platform: string, why: string, neededBy: string, at: { demanded: boolean; file?: string; line?: number }): void => {
    const module = { path: TOOLCHAIN_MODULE, version: toolchainModuleVersion(name, platform) };
    const key = module.version;
    const known = wanted.get(key);
    if (known === undefined) {
      wanted.set(key, { module, toolchain: name, platform, reason: { kind: 'toolchain', toolchain: name, platform, detail: why }, neededBy: [neededBy], ...at });
      return;
    }
    if (!known.neededBy.includes(neededBy)) known.neededBy.push(neededBy);
    known.demanded ||= at.demanded;
  };
  for (const name of names) {
    for (const platform of platforms) add(name, platform, `toolchain asked for with --toolchain ${name}`, '--toolchain', { demanded: true });
  }
  for (const root of roots) {
    const needed = root.goMod === undefined ? undefined : neededToolchain(root.goMod);
    if (needed === undefined) continue;
    for (const platform of platforms) {
      add(needed.name, platform, `toolchain for go.mod's \`${needed.directive}\``, root.name, { demanded: false, file: root.goModFile, line: needed.line });
    }
  }
  return [...wanted.values()];
}

/**
 * Asks the upstream for each toolchain's .info: those it lacks that a go.mod asked for are unmet (the
 * export goes on without them, as with a request-file line); one --toolchain named stops the export.
 */
export async function availableToolchains(wanted: readonly WantedToolchain[], client: UpstreamClient): Promise<{ found: WantedToolchain[]; unmet: UnmetRequest[] }> {
  const unmet: UnmetRequest[] = [];
  const answers = await Promise.all(wanted.map(async (w) => {
    try {
      await client.info(w.module.path, w.module.version);
      return w;
    } catch (error) {
      if (!(error instanceof ModuleNotFoundError)) throw error;
      if (w.demanded) {
        throw new ModFerryError('not-found', `the upstream has no such toolchain (${shipReasonText(w.reason)}): ${error.message}`, { module: w.module.path, version: w.module.version }, { cause: error });
      }
      const where = w.file === undefined ? '' : `${w.file}${w.line === undefined ? '' : `:${w.line}`}: `;
      unmet.push({ path: w.module.path, version: w.module.version, reason: `${where}${shipReasonText(w.reason)}: ${error.message}`, missing: `${w.module.path}@${w.module.version}` });
      return undefined;
    }
  }));
  return { found: answers.filter((w) => w !== undefined), unmet };
}

/** The resolution with the toolchains added: each ships its .info, .mod and zip, with its reason. */
export function withToolchains(resolution: Resolution, toolchains: readonly WantedToolchain[]): Resolution {
  const fresh = toolchains.filter((t) => !resolution.reasons.has(`${t.module.path}@${t.module.version}`));
  if (fresh.length === 0) return resolution;
  const neededBy = new Map(resolution.neededBy);
  const reasons = new Map(resolution.reasons);
  for (const t of fresh) {
    neededBy.set(`${t.module.path}@${t.module.version}`, t.neededBy);
    reasons.set(`${t.module.path}@${t.module.version}`, t.reason);
  }
  const modules = fresh.map((t) => t.module);
  return { ...resolution, modFiles: [...resolution.modFiles, ...modules], zipFiles: [...resolution.zipFiles, ...modules], neededBy, reasons };
}

/** How the manifest records a --toolchain: the module version it asked for. */
export function toolchainInputs(wanted: readonly WantedToolchain[]): Array<{ name: string; input: BundleInput }> {
  return wanted.filter((w) => w.demanded).map((w) => ({ name: `--toolchain ${w.toolchain} ${w.platform}`, input: { kind: 'module', value: `${w.module.path}@${w.module.version}` } }));
}
