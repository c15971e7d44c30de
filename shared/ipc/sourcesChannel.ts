import { z } from 'zod';
import type { GoModAsks, SourceProblem } from '../sources/exportSource';
import { absolutePath } from './paths';

export const sourcesInspectRequest = z.strictObject({
  goModFiles: z.array(absolutePath).optional(),
  /** Folders holding a go.mod. */
  projectDirs: z.array(absolutePath).optional(),
  requestFiles: z.array(absolutePath).optional(),
  /** Pasted text: one `path@version` or `path@latest` a line. */
  pasted: z.string().max(1_000_000, 'is too long (at most 1,000,000 characters)').optional(),
});

/** One source and what it asks for, or its problem (file, line, reason); in the order given, pasted lines last. */
export type SourceAnswer =
  | ({ kind: 'goMod' | 'project'; source: string; file: string } & ({ asks: GoModAsks } | { problem: SourceProblem }))
  | ({ kind: 'requestFile'; source: string; file: string } & ({ requests: Array<{ path: string; version: string; line: number }> } | { problem: SourceProblem }))
  | ({ kind: 'pasted'; source: string; line: number } & ({ path: string; version: string } | { problem: SourceProblem }));
