import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import { ModFerryError } from '../errors/modferryError';
import type { MainModule } from './mainModule';
import type { ModuleFailure } from './moduleGraph';
import { moduleKey } from './moduleVersions';

/**
 * A go.mod the build needs could not be read. The message names the module (and its replacement, when
 * replaced), who required it and why it failed, e.g.
 * `github.com/a/b@v1.2.0 (required by github.com/c/d@v0.3.0): reading go.mod: 404 Not Found`.
 */
export class ResolveError extends ModFerryError {
  override name = 'ResolveError';

  constructor(
    /** `path@version` of the module that failed. */
    readonly module: string,
    /** `path@version` of the module that requires it, or the root's name when the root itself asks for it. */
    readonly requiredBy: string,
    message: string,
    failed?: ModuleVersion,
    options?: ErrorOptions,
  ) {
    // The message names the module already; its cause (a go.mod's line, a 404) keeps its own fields.
    super('resolve', message, failed === undefined ? {} : { module: failed.path, version: failed.version }, { ...options, message });
  }
}

export function resolveErrorFor(main: MainModule, failure: ModuleFailure, othersFailed: number): ResolveError {
  const others = othersFailed === 0 ? '' : ` (${othersFailed} more ${othersFailed === 1 ? 'module' : 'modules'} failed too)`;
  const requiredBy = failure.requiredBy === undefined ? main.rootName : moduleKey(failure.requiredBy);
  return new ResolveError(moduleKey(failure.module), requiredBy, describeFailure(main, failure) + others, failure.module, { cause: failure.error });
}

/** One line naming the failed module, how it came to be in the graph, and the cause. */
export function describeFailure(main: MainModule, { module, requiredBy, error }: ModuleFailure): string {
  const key = moduleKey(module);
  const fetched = main.fetchedAs(module);
  const notes: string[] = [];
  if (fetched !== undefined && moduleKey(fetched) !== key) notes.push(`replaced by ${moduleKey(fetched)}`);
  if (requiredBy !== undefined) notes.push(`required by ${moduleKey(requiredBy)}`);
  // A root named after the very module it asks for needs no "requested by" to say where it came from.
  else if (main.rootName !== key) notes.push(main.requirer);
  return notes.length === 0 ? `${key}: ${error.message}` : `${key} (${notes.join(', ')}): ${error.message}`;
}
