import { parseGoMod, type ModuleVersion } from '../../../shared/gomod/goModFile';
import type { ProgressListener } from '../../../shared/work/progress';
import type { ConcurrencyLimit } from './concurrencyLimit';
import { pruningForGoVersion, type GraphPruning } from './graphPruning';
import type { ModuleSource } from './moduleSource';
import { moduleKey } from './moduleVersions';
import { errorMessage } from '../../../shared/errorMessage';

/** What the resolver needs from a dependency's go.mod (modload's modFileSummary). */
export interface LoadedGoMod {
  /** The path its module line declares; undefined when it has none. */
  modulePath: string | undefined;
  pruning: GraphPruning;
  require: ModuleVersion[];
}

/**
 * Fetches and reads go.mod files: each path@version at most once, however many roots and graphs ask
 * for it, and never more than the limit at a time.
 */
export class GoModLoader {
  private readonly loads = new Map<string, Promise<LoadedGoMod>>();
  private finished = 0;

  constructor(
    private readonly source: ModuleSource,
    private readonly limit: ConcurrencyLimit,
    private readonly options: { signal?: AbortSignal; onProgress?: ProgressListener } = {},
  ) {}

  /**
   * The go.mod of the version to fetch (a replacement's, when replaced). Rejects with the cause alone,
   * e.g. `reading go.mod: 404 Not Found`; callers know which requirement led here and say so.
   */
  load(module: ModuleVersion): Promise<LoadedGoMod> {
    const key = moduleKey(module);
    let load = this.loads.get(key);
    if (load === undefined) {
      load = this.fetch(module);
      this.loads.set(key, load);
    }
    return load;
  }

  private async fetch(module: ModuleVersion): Promise<LoadedGoMod> {
    const { signal } = this.options;
    let text: string;
    try {
      text = await this.limit.run(() => {
        signal?.throwIfAborted();
        return this.source.goMod(module.path, module.version);
      });
    } catch (error) {
      signal?.throwIfAborted();
      throw new Error(`reading go.mod: ${errorMessage(error)}`, { cause: error });
    } finally {
      this.finished++;
    }
    this.reportProgress(module);
    return summarize(text);
  }

  private reportProgress(module: ModuleVersion): void {
    this.options.onProgress?.({
      stage: 'resolve',
      message: `read go.mod of ${moduleKey(module)}`,
      files: this.finished,
      totalFiles: this.loads.size,
    });
  }
}

/** The go command reads a dependency's go.mod with modfile.ParseLax and names it just `go.mod`. */
function summarize(text: string): LoadedGoMod {
  let file;
  try {
    file = parseGoMod(text, 'go.mod', { lax: true });
  } catch (error) {
    throw new Error(`parsing go.mod: ${errorMessage(error)}`, { cause: error });
  }
  return {
    modulePath: file.module?.path,
    pruning: pruningForGoVersion(file.go?.version),
    require: file.require.map(({ path, version }) => ({ path, version })),
  };
}
