import { readFile } from 'node:fs/promises';
import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import type { ProgressListener } from '../../../shared/work/progress';
import { hashGoModBytes } from '../modzip/hashModuleZip';
import { inspectModuleZip } from '../modzip/inspectModuleZip';
import { ModuleZipError } from '../modzip/moduleZipError';
import type { Resolution } from '../resolve/resolveRequirements';
import type { UpstreamClient } from '../upstream/upstreamClient';
import type { GoSumIndex } from './goSumIndex';

/** A module file in the download cache whose hashes were checked. */
export interface VerifiedFile {
  modulePath: string;
  version: string;
  kind: 'info' | 'mod' | 'zip';
  source: string;
  size: number;
  sha256: string;
  h1?: string;
  /** A zip's files, uncompressed: what the go command writes when it extracts it. */
  unpackedBytes?: number;
}

/**
 * Downloads every file the resolution names (the upstream client bounds concurrency) and checks each
 * before anything is written: go.mod and zip h1 against the projects' go.sum, every zip validated as the
 * go command would, with its go.mod matching the .mod the graph was resolved from.
 */
export async function fetchVerifiedFiles(
  resolution: Resolution,
  client: UpstreamClient,
  goSum: GoSumIndex,
  options: {
    signal?: AbortSignal;
    onProgress?: ProgressListener;
    transfer?: { bytes: number };
    /** Told of each file as soon as it is verified, with its size. */
    onVerified?: (file: VerifiedFile) => void;
  } = {},
): Promise<VerifiedFile[]> {
  const total = resolution.modFiles.length * 2 + resolution.zipFiles.length;
  let files = 0;
  let latest = '';
  const report = () => {
    options.onProgress?.({ stage: 'download', message: latest, subject: latest, files, totalFiles: total, bytes: options.transfer?.bytes });
  };
  const done = (file: VerifiedFile): VerifiedFile => {
    files++;
    latest = `${file.modulePath}@${file.version}.${file.kind}`;
    report();
    options.onVerified?.(file);
    return file;
  };
  // Large zips take a while each: report the bytes arriving in between, so rate and progress stay live.
  const ticker = setInterval(report, 500);
  try {
    return await fetchAndVerifyAll(resolution, client, goSum, done, options.signal);
  } finally {
    clearInterval(ticker);
  }
}

async function fetchAndVerifyAll(
  resolution: Resolution,
  client: UpstreamClient,
  goSum: GoSumIndex,
  done: (file: VerifiedFile) => VerifiedFile,
  signal: AbortSignal | undefined,
): Promise<VerifiedFile[]> {
  const modBytes = new Map<string, Promise<Buffer>>();
  const modFromCache = new Map<string, Promise<boolean>>();
  const metadata = resolution.modFiles.flatMap((m) => {
    const mod = client.fetch(m.path, m.version, 'mod');
    const cached = mod.then((f) => f.fromCache);
    cached.catch(() => undefined);
    modFromCache.set(key(m), cached);
    const bytes = mod.then((f) => readFile(f.file));
    // Awaited by the zip check when this version ships one; a failure is reported through the .mod task.
    bytes.catch(() => undefined);
    modBytes.set(key(m), bytes);
    return [
      client.fetch(m.path, m.version, 'info').then((f) => done({ ...fileOf(m, 'info', f) })),
      mod.then(async (f) => {
        const h1 = hashGoModBytes(await modBytes.get(key(m))!);
        goSum.check(m.path, m.version, 'mod', h1, f.fromCache);
        return done({ ...fileOf(m, 'mod', f), h1 });
      }),
    ];
  });
  const zips = resolution.zipFiles.map(async (m) => {
    const f = await client.fetch(m.path, m.version, 'zip');
    signal?.throwIfAborted();
    const expectedGoMod = await modBytes.get(key(m));
    let h1: string;
    let unpackedBytes: number;
    try {
      ({ h1, bytes: unpackedBytes } = await inspectModuleZip(f.file, m, { expectedGoMod }));
    } catch (error) {
      const modCached = (await modFromCache.get(key(m))) ?? false;
      // Only a disagreement between the cache and a fresh answer is the cache's to clear.
      if (!(error instanceof ModuleZipError) || expectedGoMod === undefined || f.fromCache === modCached) throw error;
      throw new CacheAnsweredError(m.path, m.version, f.fromCache ? 'zip' : 'mod', error);
    }
    goSum.check(m.path, m.version, 'zip', h1, f.fromCache);
    return done({ ...fileOf(m, 'zip', f), h1, unpackedBytes });
  });
  const settled = await Promise.allSettled([...metadata, ...zips]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<VerifiedFile>).value);
}

function key(m: ModuleVersion): string {
  return `${m.path}@${m.version}`;
}

function fileOf(m: ModuleVersion, kind: VerifiedFile['kind'], f: { file: string; size: number; sha256: string }): VerifiedFile {
  return { modulePath: m.path, version: m.version, kind, source: f.file, size: f.size, sha256: f.sha256 };
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
