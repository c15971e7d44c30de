/**
 * The bundle manifest (manifest.json): the one signed file that lists every volume and
 * every file a bundle carries, with their sizes and hashes. Whatever is not listed here
 * is refused when the bundle is read, so the parser is strict: unknown fields, missing
 * fields and values of the wrong shape are errors naming the file and the field.
 */
import { isH1Hash } from '../gomod/hash1';
import { MAX_GO_MOD_BYTES, MAX_ZIP_FILE_BYTES } from '../gomod/moduleZipRules';
import { TAR_BLOCK_BYTES, TAR_END_OF_ARCHIVE_BYTES } from './tarLayout';
import { TreePathError } from './treePath';
import { parseBundlePath } from './bundlePath';
import { TILE_WIDTH, tileBytes } from '../sumdb/tiles';
import { errorMessage } from '../errorMessage';

export { parseTreePath, TreePathError } from './treePath';
export type { TreeFileKind, TreePath } from './treePath';
export { parseBundlePath, bundleGroupKey } from './bundlePath';
export type { BundlePath, BundleFileKind, SumdbBundlePath } from './bundlePath';
export { planVolumes, VolumePlanError } from './volumePlan';

export const BUNDLE_FORMAT = 'modferry-bundle';
export const BUNDLE_FORMAT_VERSION = 1;
/**
 * A manifest listing unmet requests. Readers before it refuse unknown fields, so a bundle with unmet
 * requests says format 2 (an older reader then asks for a newer ModFerry, instead of calling the
 * field unknown); a bundle without them stays format 1, readable by every ModFerry.
 */
export const BUNDLE_FORMAT_VERSION_UNMET = 2;
/**
 * A manifest carrying checksum-database proofs (`sumdb/<name>/...` entries, with or without unmet
 * requests). Older readers refuse those paths as outside the GOPROXY layout; format 3 makes them ask
 * for a newer ModFerry instead.
 */
export const BUNDLE_FORMAT_VERSION_SUMDB = 3;
/** A checksum database's latest note or lookup record is a few hundred bytes; anything near this was not written by one. */
export const MAX_SUMDB_TEXT_BYTES = 64 * 1024;
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';

export type BundleInputKind = 'go.mod' | 'project' | 'module' | 'request';
export const BUNDLE_INPUT_KINDS: readonly BundleInputKind[] = ['go.mod', 'project', 'module', 'request'];

/** What the operator asked for when the bundle was made: shown offline, never acted on. */
export interface BundleInput {
  kind: BundleInputKind;
  value: string;
}

export interface BundleVolume {
  /** 1-based position of the volume. */
  index: number;
  /** `<bundleId>-002-of-005.tar` */
  name: string;
  size: number;
  /** Lower-case hex SHA-256 of the whole volume file. */
  sha256: string;
}

export interface BundleEntry {
  /** Path in the GOPROXY tree, e.g. `github.com/!burnt!sushi/toml/@v/v1.2.0.zip`. */
  path: string;
  size: number;
  sha256: string;
  /** The go.sum hash; present exactly for .mod and .zip files. */
  h1?: string;
  /** Index of the volume that holds the file. */
  volume: number;
}

/** A line of a request file the upstream could not supply in full: left out of the bundle, shown offline. */
export interface UnmetRequest {
  path: string;
  /** As the request file asked: a version or `latest`. */
  version: string;
  /** One line: why, as the online side saw it. */
  reason: string;
  /** `path@version` (or a path) of the module the upstream lacks: the line's own module or a dependency. */
  missing: string;
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  formatVersion: typeof BUNDLE_FORMAT_VERSION | typeof BUNDLE_FORMAT_VERSION_UNMET | typeof BUNDLE_FORMAT_VERSION_SUMDB;
  bundleId: string;
  createdAt: string;
  tool: { name: string; version: string };
  inputs: BundleInput[];
  volumes: BundleVolume[];
  entries: BundleEntry[];
  /** Present (and non-empty) only in formats 2 and 3. */
  unmet?: UnmetRequest[];
}

/** A manifest that is not valid; the message names the file and the field at fault. */
export class ManifestError extends Error {
  override name = 'ManifestError';
  readonly fileName: string;
  /** e.g. `entries[12].sha256`; empty for problems with the whole file. */
  readonly field: string;
  /** The field and the problem, without the file name. */
  readonly reason: string;

  constructor(fileName: string, field: string, problem: string) {
    const reason = field === '' ? problem : `${field}: ${problem}`;
    super(`${fileName}: ${reason}`);
    this.fileName = fileName;
    this.field = field;
    this.reason = reason;
  }
}

const BUNDLE_ID = /^mf-(\d{4})(\d{2})(\d{2})-[0-9a-f]{8}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** `mf-<yyyymmdd>-<8 hex digits>`: the UTC day it was made and 32 random bits. */
export function makeBundleId(createdAt: Date, randomHex: string): string {
  if (!/^[0-9a-f]{8}$/.test(randomHex)) throw new Error(`bundle id needs 8 lower-case hex digits, got ${JSON.stringify(randomHex)}`);
  const day = createdAt.toISOString().slice(0, 10).replaceAll('-', '');
  return `mf-${day}-${randomHex}`;
}

export function isBundleId(value: string): boolean {
  const match = BUNDLE_ID.exec(value);
  return match !== null && isRealDate(`${match[1]}-${match[2]}-${match[3]}`);
}

/** `<bundleId>-002-of-005.tar`; numbers have at least three digits, more when the count needs them. */
export function volumeName(bundleId: string, index: number, count: number): string {
  const width = Math.max(3, String(count).length);
  return `${bundleId}-${String(index).padStart(width, '0')}-of-${String(count).padStart(width, '0')}.tar`;
}

/** Whether a string is a lower-case hex SHA-256 digest. */
export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

export function parseManifest(text: string, fileName: string): BundleManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(fileName, '', `not valid JSON (${errorMessage(error)})`);
  }
  return new ManifestReader(fileName).manifest(json);
}

/** The manifest as written to disk: fixed key order, two-space indent, final newline. */
export function serializeManifest(manifest: BundleManifest): string {
  const ordered = {
    format: manifest.format,
    formatVersion: manifest.formatVersion,
    bundleId: manifest.bundleId,
    createdAt: manifest.createdAt,
    tool: { name: manifest.tool.name, version: manifest.tool.version },
    inputs: manifest.inputs.map((input) => ({ kind: input.kind, value: input.value })),
    volumes: manifest.volumes.map((v) => ({ index: v.index, name: v.name, size: v.size, sha256: v.sha256 })),
    entries: manifest.entries.map((e) => ({ path: e.path, size: e.size, sha256: e.sha256, h1: e.h1, volume: e.volume })),
    ...(manifest.unmet === undefined ? {} : { unmet: manifest.unmet.map((u) => ({ path: u.path, version: u.version, reason: u.reason, missing: u.missing })) }),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

type JsonObject = Record<string, unknown>;

class ManifestReader {
  constructor(private readonly fileName: string) {}

  manifest(json: unknown): BundleManifest {
    const root = this.object(json, '', [
      'format', 'formatVersion', 'bundleId', 'createdAt', 'tool', 'inputs', 'volumes', 'entries', 'unmet',
    ]);
    if (root.format !== BUNDLE_FORMAT) {
      throw this.error('format', `expected ${JSON.stringify(BUNDLE_FORMAT)}, got ${describe(root.format)}: not a ModFerry bundle manifest`);
    }
    const formatVersion = this.integer(root.formatVersion, 'formatVersion', 1);
    if (formatVersion !== BUNDLE_FORMAT_VERSION && formatVersion !== BUNDLE_FORMAT_VERSION_UNMET && formatVersion !== BUNDLE_FORMAT_VERSION_SUMDB) {
      throw this.error(
        'formatVersion',
        `this bundle uses format ${formatVersion}, this ModFerry reads formats ${BUNDLE_FORMAT_VERSION} to ${BUNDLE_FORMAT_VERSION_SUMDB}; use the ModFerry version that wrote it, or a newer one`,
      );
    }
    const bundleId = this.string(root.bundleId, 'bundleId');
    if (!isBundleId(bundleId)) throw this.error('bundleId', `expected mf-<yyyymmdd>-<8 hex digits>, got ${JSON.stringify(bundleId)}`);
    const createdAt = this.string(root.createdAt, 'createdAt');
    if (!ISO_UTC.test(createdAt) || !isRealDate(createdAt.slice(0, 10))) {
      throw this.error('createdAt', `expected an ISO 8601 UTC time like 2026-11-25T13:05:00Z, got ${JSON.stringify(createdAt)}`);
    }
    const toolObject = this.object(root.tool, 'tool', ['name', 'version']);
    const tool = { name: this.nonEmptyString(toolObject.name, 'tool.name'), version: this.nonEmptyString(toolObject.version, 'tool.version') };
    const inputs = this.array(root.inputs, 'inputs').map((item, i) => this.input(item, `inputs[${i}]`));
    const volumes = this.array(root.volumes, 'volumes').map((item, i) => this.volume(item, `volumes[${i}]`));
    if (volumes.length === 0) throw this.error('volumes', 'a bundle has at least one volume');
    volumes.forEach((volume, i) => {
      if (volume.index !== i + 1) throw this.error(`volumes[${i}].index`, `expected ${i + 1}, got ${volume.index}`);
      const expected = volumeName(bundleId, volume.index, volumes.length);
      if (volume.name !== expected) throw this.error(`volumes[${i}].name`, `expected ${JSON.stringify(expected)}, got ${JSON.stringify(volume.name)}`);
    });
    const entries = this.array(root.entries, 'entries').map((item, i) => this.entry(item, `entries[${i}]`, volumes.length, formatVersion));
    this.checkEntriesTogether(entries, volumes);
    if (formatVersion === BUNDLE_FORMAT_VERSION_SUMDB) this.checkSumdbHeads(entries);
    const manifest: BundleManifest = { format: BUNDLE_FORMAT, formatVersion: BUNDLE_FORMAT_VERSION, bundleId, createdAt, tool, inputs, volumes, entries };
    if (formatVersion === BUNDLE_FORMAT_VERSION && root.unmet !== undefined) throw this.error('unmet', 'unknown field');
    if (formatVersion === BUNDLE_FORMAT_VERSION_SUMDB) {
      if (root.unmet === undefined) return { ...manifest, formatVersion };
      return { ...manifest, formatVersion, unmet: this.unmetList(root.unmet, formatVersion) };
    }
    if (formatVersion === BUNDLE_FORMAT_VERSION_UNMET) return { ...manifest, formatVersion, unmet: this.unmetList(root.unmet, formatVersion) };
    return manifest;
  }

  private unmetList(json: unknown, formatVersion: number): UnmetRequest[] {
    const unmet = this.array(json, 'unmet').map((item, i) => this.unmetRequest(item, `unmet[${i}]`));
    if (unmet.length === 0) {
      const rule = formatVersion === BUNDLE_FORMAT_VERSION_UNMET ? 'lists at least one unmet request' : 'lists its unmet requests or leaves the field out, never an empty list';
      throw this.error('unmet', `a format ${formatVersion} manifest ${rule}`);
    }
    return unmet;
  }

  /** Every database a format 3 bundle carries files of has its one signed tree head; and there is at least one. */
  private checkSumdbHeads(entries: BundleEntry[]): void {
    const heads = new Set<string>();
    const named = new Map<string, number>();
    entries.forEach((entry, i) => {
      const parsed = parseBundlePath(entry.path);
      if (parsed.kind !== 'sumdb') return;
      if (parsed.sumdb.kind === 'latest') heads.add(parsed.sumdb.name);
      if (!named.has(parsed.sumdb.name)) named.set(parsed.sumdb.name, i);
    });
    if (named.size === 0) throw this.error('entries', `a format ${BUNDLE_FORMAT_VERSION_SUMDB} manifest carries checksum-database proofs (sumdb/<name>/...), this one none`);
    for (const [name, i] of named) {
      if (!heads.has(name)) throw this.error(`entries[${i}].path`, `checksum database ${name} has no signed tree head (sumdb/${name}/latest) in this bundle`);
    }
  }

  private unmetRequest(json: unknown, field: string): UnmetRequest {
    const o = this.object(json, field, ['path', 'version', 'reason', 'missing']);
    return {
      path: this.nonEmptyString(o.path, `${field}.path`),
      version: this.nonEmptyString(o.version, `${field}.version`),
      reason: this.nonEmptyString(o.reason, `${field}.reason`),
      missing: this.nonEmptyString(o.missing, `${field}.missing`),
    };
  }

  private input(json: unknown, field: string): BundleInput {
    const o = this.object(json, field, ['kind', 'value']);
    const kind = this.string(o.kind, `${field}.kind`);
    if (!(BUNDLE_INPUT_KINDS as readonly string[]).includes(kind)) {
      throw this.error(`${field}.kind`, `expected one of ${BUNDLE_INPUT_KINDS.map((k) => JSON.stringify(k)).join(', ')}, got ${JSON.stringify(kind)}`);
    }
    return { kind: kind as BundleInputKind, value: this.nonEmptyString(o.value, `${field}.value`) };
  }

  private volume(json: unknown, field: string): BundleVolume {
    const o = this.object(json, field, ['index', 'name', 'size', 'sha256']);
    const index = this.integer(o.index, `${field}.index`, 1);
    const name = this.string(o.name, `${field}.name`);
    const size = this.integer(o.size, `${field}.size`, TAR_BLOCK_BYTES + TAR_END_OF_ARCHIVE_BYTES);
    if (size % TAR_BLOCK_BYTES !== 0) throw this.error(`${field}.size`, `a tar volume is a whole number of 512-byte blocks, got ${size}`);
    return { index, name, size, sha256: this.sha256(o.sha256, `${field}.sha256`) };
  }

  private entry(json: unknown, field: string, volumeCount: number, formatVersion: number): BundleEntry {
    const o = this.object(json, field, ['path', 'size', 'sha256', 'h1', 'volume']);
    const path = this.string(o.path, `${field}.path`);
    let parsed;
    try {
      parsed = parseBundlePath(path);
    } catch (error) {
      throw this.error(`${field}.path`, error instanceof TreePathError ? `${JSON.stringify(path)}: ${error.reason}` : errorMessage(error));
    }
    const kind = parsed.kind;
    if (kind === 'sumdb' && formatVersion !== BUNDLE_FORMAT_VERSION_SUMDB) {
      throw this.error(`${field}.path`, `${JSON.stringify(path)}: checksum-database proofs belong in a format ${BUNDLE_FORMAT_VERSION_SUMDB} manifest, this one says format ${formatVersion}`);
    }
    const size = this.integer(o.size, `${field}.size`, 0);
    const limit = kind === 'mod' ? MAX_GO_MOD_BYTES : kind === 'zip' ? MAX_ZIP_FILE_BYTES : undefined;
    if (limit !== undefined && size > limit) {
      throw this.error(`${field}.size`, `${size} bytes is over the go command's limit of ${limit} bytes for a .${kind} file`);
    }
    if (parsed.kind === 'sumdb') {
      const tile = parsed.sumdb.kind === 'tile' ? parsed.sumdb.tile : undefined;
      if (tile !== undefined && size !== tileBytes(tile)) {
        throw this.error(`${field}.size`, `a tile of width ${tile.width} is ${tileBytes(tile)} bytes, not ${size}${tile.width === TILE_WIDTH ? '' : ' (a partial tile)'}`);
      }
      if (tile === undefined && size > MAX_SUMDB_TEXT_BYTES) {
        throw this.error(`${field}.size`, `${size} bytes is too large for a checksum database's ${parsed.sumdb.kind} (at most ${MAX_SUMDB_TEXT_BYTES})`);
      }
    }
    const sha256 = this.sha256(o.sha256, `${field}.sha256`);
    const entry: BundleEntry = { path, size, sha256, volume: 0 };
    if (kind === 'mod' || kind === 'zip') {
      if (o.h1 === undefined) throw this.error(`${field}.h1`, `required for a .${kind} file`);
      const h1 = this.string(o.h1, `${field}.h1`);
      if (!isH1Hash(h1)) throw this.error(`${field}.h1`, `expected "h1:" and the base64 of a SHA-256, got ${JSON.stringify(h1)}`);
      entry.h1 = h1;
    } else if (o.h1 !== undefined) {
      throw this.error(`${field}.h1`, `only .mod and .zip files have an h1 hash, not a ${kind === 'list' ? 'list' : kind === 'sumdb' ? 'checksum-database' : `.${kind}`} file`);
    }
    entry.volume = this.integer(o.volume, `${field}.volume`, 1);
    if (entry.volume > volumeCount) {
      throw this.error(`${field}.volume`, `volume ${entry.volume} does not exist (the bundle has ${volumeCount})`);
    }
    return entry;
  }

  private checkEntriesTogether(entries: BundleEntry[], volumes: BundleVolume[]): void {
    if (entries.length === 0) throw this.error('entries', 'a bundle carries at least one file');
    const firstIndex = new Map<string, number>();
    entries.forEach((entry, i) => {
      const earlier = firstIndex.get(entry.path);
      if (earlier !== undefined) throw this.error(`entries[${i}].path`, `${JSON.stringify(entry.path)} is already listed at entries[${earlier}]`);
      firstIndex.set(entry.path, i);
    });
    const used = new Set(entries.map((entry) => entry.volume));
    const empty = volumes.find((volume) => !used.has(volume.index));
    if (empty !== undefined) throw this.error(`volumes[${empty.index - 1}]`, `${empty.name} holds no file`);
  }

  private object(json: unknown, field: string, keys: readonly string[]): JsonObject {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw this.error(field, `expected an object, got ${describe(json)}`);
    const unknownKey = Object.keys(json).find((key) => !keys.includes(key));
    if (unknownKey !== undefined) throw this.error(join(field, unknownKey), 'unknown field');
    return json as JsonObject;
  }

  private array(json: unknown, field: string): unknown[] {
    if (!Array.isArray(json)) throw this.error(field, `expected an array, got ${describe(json)}`);
    return json;
  }

  private string(json: unknown, field: string): string {
    if (typeof json !== 'string') throw this.error(field, `expected a string, got ${describe(json)}`);
    return json;
  }

  private nonEmptyString(json: unknown, field: string): string {
    const s = this.string(json, field);
    if (s.trim() === '') throw this.error(field, 'must not be empty');
    return s;
  }

  private integer(json: unknown, field: string, min: number): number {
    if (typeof json !== 'number' || !Number.isSafeInteger(json)) throw this.error(field, `expected a whole number, got ${describe(json)}`);
    if (json < min) throw this.error(field, `expected at least ${min}, got ${json}`);
    return json;
  }

  private sha256(json: unknown, field: string): string {
    const s = this.string(json, field);
    if (!isSha256Hex(s)) throw this.error(field, `expected 64 lower-case hex digits, got ${JSON.stringify(s)}`);
    return s;
  }

  private error(field: string, problem: string): ManifestError {
    return new ManifestError(this.fileName, field, problem);
  }
}

function join(field: string, key: string): string {
  return field === '' ? key : `${field}.${key}`;
}

function describe(json: unknown): string {
  if (json === undefined) return 'nothing';
  if (json === null) return 'null';
  if (Array.isArray(json)) return 'an array';
  if (typeof json === 'object') return 'an object';
  if (typeof json === 'string') return JSON.stringify(json.length > 80 ? `${json.slice(0, 80)}…` : json);
  return String(json);
}

// `2026-02-30` parses in JavaScript as March 2nd; a manifest saying so was not written by us.
function isRealDate(yyyyMmDd: string): boolean {
  const time = Date.parse(`${yyyyMmDd}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === yyyyMmDd;
}
