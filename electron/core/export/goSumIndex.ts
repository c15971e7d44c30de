import type { GoSumLine } from '../../../shared/gomod/goSumFile';

export interface GoSumFile {
  file: string;
  lines: GoSumLine[];
}

/**
 * The hashes the projects' go.sum files recorded. A download that disagrees stops the export:
 * either the upstream serves different bytes than the developers saw, or someone tampered with them.
 */
export class GoSumIndex {
  private readonly lines = new Map<string, Array<GoSumLine & { file: string }>>();

  constructor(goSumFiles: ReadonlyArray<GoSumFile>) {
    for (const { file, lines } of goSumFiles) {
      for (const line of lines) {
        const key = keyOf(line.path, line.version, line.isGoMod);
        this.lines.set(key, [...(this.lines.get(key) ?? []), { ...line, file }]);
      }
    }
  }

  /**
   * Throws naming the module, the go.sum line and both hashes when a recorded h1 differs, and, when
   * the download cache answered rather than the upstream, how to ask the upstream afresh.
   */
  check(path: string, version: string, kind: 'mod' | 'zip', h1: string, fromCache = false): void {
    for (const line of this.lines.get(keyOf(path, version, kind === 'mod')) ?? []) {
      if (line.hash.startsWith('h1:') && line.hash !== h1) throw new GoSumMismatchError(path, version, kind, line.file, line.line, line.hash, h1, fromCache);
    }
  }
}

export class GoSumMismatchError extends Error {
  override name = 'GoSumMismatchError';

  constructor(
    readonly module: string,
    readonly version: string,
    readonly kind: 'mod' | 'zip',
    readonly file: string,
    readonly line: number,
    readonly recorded: string,
    readonly got: string,
    /** The bytes came from the download cache, not from the upstream just now. */
    readonly fromCache: boolean,
  ) {
    const what = kind === 'mod' ? 'go.mod' : 'module zip';
    const source = fromCache
      ? `the download cache answered ${got} (downloaded earlier); if go.sum is right, clear the cache with 'modferry cache clean' and export again to ask the upstream afresh`
      : `the upstream served ${got}`;
    super(`${module}@${version}: ${what} hash mismatch: ${file}:${line} records ${recorded}, ${source}`);
  }
}

function keyOf(path: string, version: string, isGoMod: boolean): string {
  return `${path}@${version}${isGoMod ? '/go.mod' : ''}`;
}
