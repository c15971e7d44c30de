import { readFile } from 'node:fs/promises';
import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import { inspectModuleZip } from '../modzip/inspectModuleZip';
import { ModuleZipError } from '../modzip/moduleZipError';
import type { FetchedFile, UpstreamClient } from '../upstream/upstreamClient';

/** A zip in the download cache, checked by the go command's rules against the version's .mod. */
export interface CheckedZip {
  fetched: FetchedFile;
  h1: string;
  unpackedBytes: number;
}

/**
 * Each module zip downloaded and checked once, whoever asks first. The plan asks early, while the graph is
 * still walked, for the zips it will very likely ship (the versions a main module's go.mod requires), so
 * their downloads and checks fill the time the walk spends waiting for go.mod files; a zip the resolution
 * does not name is never shipped, and its failure is never reported.
 */
export class ZipChecks {
  private readonly checks = new Map<string, Promise<CheckedZip>>();

  constructor(
    private readonly client: UpstreamClient,
    private readonly signal?: AbortSignal,
  ) {}

  /** Starts the check of a zip the resolution will probably name. */
  prefetch(module: ModuleVersion): void {
    this.check(module).catch(() => undefined);
  }

  check(module: ModuleVersion): Promise<CheckedZip> {
    const key = `${module.path}@${module.version}`;
    let check = this.checks.get(key);
    if (check === undefined) {
      check = this.download(module);
      this.checks.set(key, check);
    }
    return check;
  }

  private async download(m: ModuleVersion): Promise<CheckedZip> {
    const mod = this.client.fetch(m.path, m.version, 'mod');
    mod.catch(() => undefined);
    const fetched = await this.client.fetch(m.path, m.version, 'zip');
    this.signal?.throwIfAborted();
    const modFile = await mod.catch(() => undefined);
    // Without its .mod the zip cannot be checked; the .mod's own download reports why.
    const expectedGoMod = modFile === undefined ? undefined : await readFile(modFile.file);
    try {
      const { h1, bytes } = await inspectModuleZip(fetched.file, m, { expectedGoMod });
      return { fetched, h1, unpackedBytes: bytes };
    } catch (error) {
      // Only a disagreement between the cache and a fresh answer is the cache's to clear.
      if (!(error instanceof ModuleZipError) || modFile === undefined || fetched.fromCache === modFile.fromCache) throw error;
      throw new CacheAnsweredError(m.path, m.version, fetched.fromCache ? 'zip' : 'mod', error);
    }
  }
}

/** A file the download cache answered disagrees with one the upstream answered just now. */
export class CacheAnsweredError extends Error {
  override name = 'CacheAnsweredError';

  constructor(
    readonly module: string,
    readonly version: string,
    /** The kind of file that came from the cache. */
    readonly kind: 'mod' | 'zip',
    cause: ModuleZipError,
  ) {
    const fresh = kind === 'zip' ? 'mod' : 'zip';
    super(
      `${module}@${version}: ${cause.message}; the download cache answered the .${kind} (downloaded earlier), the upstream the .${fresh}: ` +
        "clear the cache with 'modferry cache clean' and export again to ask the upstream afresh",
      { cause },
    );
  }
}
