import { readFile } from 'node:fs/promises';
import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import type { ProgressListener } from '../../../shared/work/progress';
import { hashGoModBytes } from '../modzip/hashModuleZip';
import type { Resolution } from '../resolve/resolveRequirements';
import type { UpstreamClient } from '../upstream/upstreamClient';
import type { GoSumIndex } from './goSumIndex';
import { ZipChecks } from './zipChecks';

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
    /** The zip checks the caller may have started early. */
    zipChecks?: ZipChecks;
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
    return await fetchAndVerifyAll(resolution, client, goSum, done, options.zipChecks ?? new ZipChecks(client, options.signal));
  } finally {
    clearInterval(ticker);
  }
}

async function fetchAndVerifyAll(
  resolution: Resolution,
  client: UpstreamClient,
  goSum: GoSumIndex,
  done: (file: VerifiedFile) => VerifiedFile,
  zipChecks: ZipChecks,
): Promise<VerifiedFile[]> {
  const metadata = resolution.modFiles.flatMap((m) => [
    client.fetch(m.path, m.version, 'info').then((f) => done({ ...fileOf(m, 'info', f) })),
    client.fetch(m.path, m.version, 'mod').then(async (f) => {
      const h1 = hashGoModBytes(await readFile(f.file));
      goSum.check(m.path, m.version, 'mod', h1, f.fromCache);
      return done({ ...fileOf(m, 'mod', f), h1 });
    }),
  ]);
  const zips = resolution.zipFiles.map(async (m) => {
    const { fetched, h1, unpackedBytes } = await zipChecks.check(m);
    goSum.check(m.path, m.version, 'zip', h1, fetched.fromCache);
    return done({ ...fileOf(m, 'zip', fetched), h1, unpackedBytes });
  });
  const settled = await Promise.allSettled([...metadata, ...zips]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<VerifiedFile>).value);
}

function fileOf(m: ModuleVersion, kind: VerifiedFile['kind'], f: { file: string; size: number; sha256: string }): VerifiedFile {
  return { modulePath: m.path, version: m.version, kind, source: f.file, size: f.size, sha256: f.sha256 };
}
