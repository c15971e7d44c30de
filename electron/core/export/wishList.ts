/**
 * A request file is a wish list: the offline proxy records whatever developers asked for, and some
 * of it the upstream cannot supply in full (a module it lacks, or one whose go.mod needs a version of
 * a dependency it lacks). Each such line is left out with its reason; every other line ships.
 * --project, --go-mod and --module inputs are demands, not wishes: any failure there stops the export.
 */
import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import type { UnmetRequest } from '../../../shared/bundle/manifest';
import type { ResolveRoot } from '../resolve/resolveRequirements';
import { ResolveError } from '../resolve/resolveError';
import { ModuleNotFoundError } from '../upstream/errors';
import { describeUnmet } from '../../../shared/roundtrip/unmetRequest';

/** A root whose version queries are answered; a request file's modules remember how their line asked. */
export interface AnsweredRoot extends ResolveRoot {
  /** Set for request-file roots: the line each module came from, in the order of `modules`. */
  lines?: ModuleVersion[];
}

/** `path@version` of every module the upstream said it does not have, as the graph walk met them. */
export class NotFoundLog {
  private readonly keys = new Set<string>();

  note(error: unknown, modulePath: string, version: string): void {
    if (error instanceof ModuleNotFoundError) this.keys.add(`${modulePath}@${version}`);
  }

  /** The missing module an error comes down to, when it is one the upstream lacks; undefined for any other failure. */
  missingIn(error: unknown): string | undefined {
    if (error instanceof ModuleNotFoundError) return error.version === undefined ? error.path : `${error.path}@${error.version}`;
    if (error instanceof ResolveError && this.keys.has(error.module)) return error.module;
    return undefined;
  }
}

/** The request lines an attempt is tried with, and the unmet ones found on the way. */
export interface Wishes<T> {
  roots: AnsweredRoot[];
  outcome: T;
  unmet: UnmetRequest[];
}

/**
 * Runs the attempt (resolve and download) over every root. Only when it fails for want of a module is
 * each request line tried alone, so the common case costs one attempt; the downloads the lone tries
 * make are cached, so the final attempt over the lines that passed fetches nothing twice. A lone try
 * (`lone`) only decides whether its line can be met: what no line decides may be left out of it.
 */
export async function grantWishes<T>(roots: readonly AnsweredRoot[], log: NotFoundLog, attempt: (roots: AnsweredRoot[], trial: { lone: boolean }) => Promise<T>): Promise<Wishes<T>> {
  try {
    return { roots: [...roots], outcome: await attempt([...roots], { lone: false }), unmet: [] };
  } catch (error) {
    if (log.missingIn(error) === undefined || !roots.some((r) => r.lines !== undefined)) throw error;
  }
  const unmet: UnmetRequest[] = [];
  const kept: AnsweredRoot[] = [];
  for (const root of roots) {
    if (root.lines === undefined || root.modules === undefined) {
      kept.push(root);
      continue;
    }
    const modules: ModuleVersion[] = [];
    const lines: ModuleVersion[] = [];
    for (const [i, module] of root.modules.entries()) {
      const line = root.lines[i] ?? module;
      try {
        await attempt([{ name: root.name, modules: [module], lines: [line] }], { lone: true });
        modules.push(module);
        lines.push(line);
      } catch (error) {
        const missing = log.missingIn(error);
        if (missing === undefined) throw error;
        unmet.push({ path: line.path, version: line.version, reason: (error as Error).message, missing });
      }
    }
    kept.push(modules.length === 0 ? { name: root.name, goMod: root.goMod, lines: [] } : { ...root, modules, lines });
  }
  const left = kept.filter((r) => r.goMod !== undefined || (r.modules !== undefined && r.modules.length > 0));
  if (left.length === 0) throw new NothingToExportError(unmet);
  return { roots: kept, outcome: await attempt(left, { lone: false }), unmet };
}

/** Every requested module is unmet. */
export class NothingToExportError extends Error {
  override name = 'NothingToExportError';
  readonly unmet: readonly UnmetRequest[];

  constructor(unmet: readonly UnmetRequest[]) {
    super(`nothing to export: the upstream cannot supply any of the requested modules (${unmet.map(describeUnmet).join('; ')})`);
    this.unmet = unmet;
  }
}

/** --strict: some requested module cannot be met. */
export class UnmetRequestsError extends Error {
  override name = 'UnmetRequestsError';
  readonly unmet: readonly UnmetRequest[];

  constructor(unmet: readonly UnmetRequest[]) {
    super(`--strict: ${unmet.length} requested module${unmet.length === 1 ? '' : 's'} cannot be met: ${unmet.map(describeUnmet).join('; ')}`);
    this.unmet = unmet;
  }
}
