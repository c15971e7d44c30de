import { z } from 'zod';
import type { UnmetRequest } from '../bundle/manifest';
import { MIN_VOLUME_BYTES } from '../bundle/volumePlan';
import { absolutePath } from './paths';

export const exportRunRequest = z
  .strictObject({
    projectDirs: z.array(absolutePath).optional(),
    goModFiles: z.array(absolutePath).optional(),
    /** `path@version` or `path@latest`. */
    modules: z.array(z.string().min(1, 'is empty')).optional(),
    requestFiles: z.array(absolutePath).optional(),
    /** A GOPROXY list. */
    upstream: z.string().trim().min(1, 'is empty: give a GOPROXY list, e.g. https://proxy.example.com'),
    outDir: absolutePath,
    volumeSize: z.number().int('must be a whole number of bytes').min(MIN_VOLUME_BYTES).optional(),
    sinceInventory: absolutePath.optional(),
    /** False skips proving the bundle with the go command. */
    check: z.boolean(),
    strict: z.boolean().optional(),
  })
  .refine((r) => [r.projectDirs, r.goModFiles, r.modules, r.requestFiles].some((list) => list !== undefined && list.length > 0), {
    message: 'nothing to export: give projectDirs, goModFiles, modules or requestFiles',
    path: ['projectDirs'],
  });

export interface ExportRunResult {
  bundleDir: string;
  bundleId: string;
  createdAt: string;
  volumes: number;
  files: number;
  bytes: number;
  moduleVersions: number;
  /** Files left out because the --since inventory says the offline store holds them. */
  leftOut: number;
  warnings: string[];
  unmet: UnmetRequest[];
  check: { status: 'passed' } | { status: 'skipped'; reason: string };
  signer: { fingerprint: string; created: boolean };
}
