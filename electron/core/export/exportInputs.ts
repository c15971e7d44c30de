import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PlanWarning } from '../../../shared/export/planNotes';
import { parseGoMod, type GoModFile } from '../../../shared/gomod/goModFile';
import { parseGoSum } from '../../../shared/gomod/goSumFile';
import type { GoSumFile } from './goSumIndex';
import { parseModuleAtVersion } from '../../../shared/gomod/modulePath';
import type { BundleInput } from '../../../shared/bundle/manifest';
import { parseRequestFile, parseRequestHeads } from '../../../shared/roundtrip/requestFile';
import type { HeldTreeHead } from '../../../shared/roundtrip/heldTreeHead';
import { errorMessage } from '../../../shared/errorMessage';
import { ModFerryError } from '../errors/modferryError';

/** What the operator asked to export, as given on the command line or in the wizard. */
export interface ExportInputSpec {
  goModFiles?: string[];
  projectDirs?: string[];
  /** `path@version` or `path@latest`. */
  modules?: string[];
  requestFiles?: string[];
  /** Go toolchains by name (go1.22.3), carried for the chosen platforms: enough by themselves. */
  toolchains?: string[];
}

/** A root before version queries are answered: its modules may still say "latest" or "v1.2". */
export interface PendingRoot {
  name: string;
  input: BundleInput;
  goModFile?: string;
  /** The folder the go check builds in (a --project); go.mod-only inputs are checked without sources. */
  projectDir?: string;
  goMod?: GoModFile;
  /** `path@version` roots whose version may still be a query for the upstream to answer. */
  modules: Array<{ path: string; version: string }>;
}

export interface LoadedInputs {
  roots: PendingRoot[];
  /** The go.sum of every project, for checking downloads against what the projects recorded. */
  goSums: GoSumFile[];
  /** Inputs that require modules but have no go.sum to check their downloads against: said before the long work. */
  warnings: PlanWarning[];
  /** The offline store's checksum-database tree heads, as its request files name them. */
  treeHeads: HeldTreeHead[];
}

export async function loadExportInputs(spec: ExportInputSpec): Promise<LoadedInputs> {
  const roots: PendingRoot[] = [];
  const goSums: GoSumFile[] = [];
  for (const dir of spec.projectDirs ?? []) {
    const goModFile = path.join(dir, 'go.mod');
    if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new ModFerryError('input', 'no such project folder', { file: dir });
    if (!existsSync(goModFile)) throw new ModFerryError('input', 'not a Go module (no go.mod in it)', { file: dir });
    roots.push(await goModRoot(goModFile, { kind: 'project', value: path.resolve(dir) }, goSums, path.resolve(dir)));
  }
  for (const file of spec.goModFiles ?? []) {
    roots.push(await goModRoot(file, { kind: 'go.mod', value: path.resolve(file) }, goSums));
  }
  for (const text of spec.modules ?? []) {
    let module: { path: string; version: string };
    try {
      module = parseModuleAtVersion(text);
    } catch (error) {
      throw new ModFerryError('input', errorMessage(error), {}, { cause: error, message: `--module: ${errorMessage(error)}` });
    }
    roots.push(moduleRoot(text, { kind: 'module', value: text }, [module]));
  }
  const treeHeads: HeldTreeHead[] = [];
  for (const file of spec.requestFiles ?? []) {
    const text = await readInputText(file);
    const requests = parseRequestFile(text, file);
    treeHeads.push(...parseRequestHeads(text, file));
    if (requests.length === 0) throw new ModFerryError('input', 'the request file asks for no modules', { file });
    roots.push(moduleRoot(file, { kind: 'request', value: path.resolve(file) }, requests));
  }
  if (roots.length === 0 && (spec.toolchains ?? []).length === 0) throw new ModFerryError('input', 'nothing to export: give a --project, --go-mod, --module, --request or --toolchain');
  const summed = new Set(goSums.map((sum) => path.dirname(sum.file)));
  const unsummed = new Set(roots.flatMap((r) => (r.goModFile !== undefined && (r.goMod?.require.length ?? 0) > 0 && !summed.has(path.dirname(r.goModFile)) ? [r.goModFile] : [])));
  const warnings = [...unsummed].map((file): PlanWarning => ({ kind: 'no-go-sum', file }));
  return { roots, goSums, warnings, treeHeads };
}

async function goModRoot(file: string, input: BundleInput, goSums: GoSumFile[], projectDir?: string): Promise<PendingRoot> {
  const goMod = parseGoMod(await readInputText(file), file);
  if (!goMod.module) throw new ModFerryError('input', 'no module statement: is this a go.mod file?', { file });
  const sumFile = path.join(path.dirname(file), 'go.sum');
  if (existsSync(sumFile)) goSums.push({ file: sumFile, lines: parseGoSum(await readInputText(sumFile), sumFile) });
  return { name: file, input, goModFile: file, projectDir, goMod, modules: [] };
}

function moduleRoot(name: string, input: BundleInput, modules: Array<{ path: string; version: string }>): PendingRoot {
  return { name, input, modules: modules.map(({ path, version }) => ({ path, version })) };
}

/** A file the export was given (go.mod, go.sum, request file, inventory): a failure names it. */
export async function readInputText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModFerryError('input', code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(error)})`, { file }, { cause: error });
  }
}
