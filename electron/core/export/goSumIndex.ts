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

  /** Throws naming the module, the go.sum line and both hashes when a recorded h1 differs. */
  check(path: string, version: string, kind: 'mod' | 'zip', h1: string): void {
    for (const line of this.lines.get(keyOf(path, version, kind === 'mod')) ?? []) {
      if (line.hash.startsWith('h1:') && line.hash !== h1) {
        const what = kind === 'mod' ? 'go.mod' : 'module zip';
        throw new Error(
          `${path}@${version}: ${what} hash mismatch: ${line.file}:${line.line} records ${line.hash}, the upstream served ${h1}`,
        );
      }
    }
  }
}

function keyOf(path: string, version: string, isGoMod: boolean): string {
  return `${path}@${version}${isGoMod ? '/go.mod' : ''}`;
}
