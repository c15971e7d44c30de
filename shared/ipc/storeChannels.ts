import { z } from 'zod';
import type { DroppedRequests, RequestedModule } from '../roundtrip/requestFile';
import { absolutePath } from './paths';

export const settingsDefaultsRequest = z.strictObject({});
export const storeFactsRequest = z.strictObject({});

/** What the screens start from: the upstream from GOPROXY, and the app's folders. */
export interface SettingsDefaults {
  /** GOPROXY of the app's environment, when it names a proxy to export from. */
  upstream: string | null;
  /** Why there is no upstream by default (GOPROXY unset, or off). */
  upstreamProblem: string | null;
  dataDir: string;
  cacheDir: string;
  storeDir: string;
  /** This machine's goos/goarch: the toolchain platform exports carry when the setting names none. */
  toolchainPlatform: string;
}

export type { StoreFacts as StoreFactsAnswer } from '../store/storeFacts';

export const requestWriteRequest = z.strictObject({
  /** The file to write, or a folder (a drive's mount point) to write modferry-request-TIME.txt into. */
  file: absolutePath,
  /** Only requests seen since then (ISO 8601). */
  since: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time, e.g. 2026-01-31T12:00:00Z' }).optional(),
});

export interface RequestWriteResult {
  /** The file written, or that would have been. */
  file: string;
  /** False when there was nothing to ask for: no file is written then. */
  written: boolean;
  requests: RequestedModule[];
  /** Misses for queries a request file cannot name, asked for as path@latest. */
  askedAsLatest: Array<{ path: string; count: number }>;
  leftOut: { requests: RequestedModule[]; bundles: string[] };
  dropped: DroppedRequests | null;
}

export const missesListRequest = z.strictObject({
  /** Only misses last seen since then (ISO 8601); their counts still cover all time. */
  since: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time, e.g. 2026-01-31T12:00:00Z' }).optional(),
});

/** What the proxy was asked for and could not answer, by module path and version; none when there is no store yet. */
export interface MissesAnswer {
  misses: Array<{
    module: string;
    /** The version asked for, or `latest` or `list` for those queries. */
    version: string;
    count: number;
    firstSeen: string;
    lastSeen: string;
  }>;
  /** Requests answered but not recorded: not a module path and version, or past the cap on distinct misses. */
  dropped: Array<{ reason: 'invalid' | 'over-cap'; count: number; firstSeen: string; lastSeen: string }>;
}

/** The file to write, or a folder (a drive's mount point) to write modferry-inventory-TIME.json into. */
export const inventoryWriteRequest = z.strictObject({ file: absolutePath });

export interface InventoryWriteResult {
  file: string;
  /** Module versions listed, and the distinct module paths among them. */
  versions: number;
  paths: number;
}
