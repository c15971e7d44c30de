/**
 * The checksum database's word on every module version an export ships (issue 13), so the offline go
 * command checks modules against the public log exactly as it would online.
 *
 * The database is found as the go command finds it (modfetch/sumdb.go): GOSUMDB's own URL when it
 * gives one, else the first proxy of GOPROXY answering 200 to `sumdb/<name>/supported`, else the
 * database itself. Each version's lookup is fetched while its files download; every record is proven
 * against one signed tree head (the newest any lookup came with), every tile against its parent, and
 * the record's hashes must equal those of the files downloaded. A mismatch, a bad signature or a
 * forged tile fails the export; a database that cannot be reached leaves the bundle without proofs and
 * says so. Lookups and full tiles are kept in the download cache once proven (they never change); the
 * files the bundle will carry are kept there under their SHA-256, as the plan lists them.
 */
import { readFile } from 'node:fs/promises';
import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import { parseGoproxy, type ProxyServer } from '../../../shared/goproxy/proxyList';
import type { PlannedProofFile, PlanProofs } from '../../../shared/export/exportPlan';
import { usesChecksumDatabase, type ChecksumDatabaseSetting } from '../../../shared/sumdb/checksumDatabaseSetting';
import { formatRecordEntry, LookupRecordError, parseLookupBody, recordGoSumLines, type LookupAnswer } from '../../../shared/sumdb/lookupRecord';
import { formatSumdbPath, isSumdbName, tilePath } from '../../../shared/sumdb/sumdbPath';
import { edgeTiles, fullTileOf, isFullTile, recordTiles, tileBytes, tilesFromLevel, treeProofTiles, type Tile } from '../../../shared/sumdb/tiles';
import { TreeNoteError, type SignedTreeNote } from '../../../shared/sumdb/treeNote';
import { errorMessage } from '../../../shared/errorMessage';
import { ModFerryError } from '../errors/modferryError';
import { checkRecord, checkTreeConsistency, verifyTiles, type ProvenTile } from '../sumdb/tileProofs';
import { parseVerifierKey, verifyNoteSignature, type VerifierKey } from '../sumdb/verifierKey';
import type { DownloadCache } from '../upstream/downloadCache';
import { UnreachableError, UpstreamError, type UpstreamClient } from '../upstream/upstreamClient';
import type { VerifiedFile } from './fetchVerifiedFiles';

export interface ProofOptions {
  client: UpstreamClient;
  /** The GOPROXY list the export fetches through: its proxies are asked whether they proxy the database. */
  upstream: string;
  cache: DownloadCache;
  /**
   * Tree sizes, by database name, of older heads a go command offline may have cached (earlier bundles',
   * the store's): it proves the new head against each with the new tree's tiles over the old
   * head's right edge, tiles no record of this bundle may need.
   */
  earlierHeads?: ReadonlyMap<string, readonly number[]>;
}

/** The records of a set of versions, proven against one head, with the files the bundle would carry. */
export interface ProvenRecords {
  proofs: PlanProofs;
  /** Each proven record's go.sum lines, by `path@version`. */
  lines: Map<string, Array<{ version: string; hash: string }>>;
}

export interface ProofSession {
  /**
   * Looks up these versions and proves their records, starting at once so it runs beside the
   * downloads. Resolves with status `unavailable` when the database cannot be asked; rejects on a
   * proof that fails.
   */
  prove(versions: readonly ModuleVersion[]): Promise<ProvenRecords>;
  /**
   * Starts the lookup of a version the export will likely ship, while the module graph is still
   * walked; prove() finds it under way. Versions the database is not asked about are left alone.
   */
  prefetch(module: ModuleVersion): void;
}

/** Thrown inside a proof when the database cannot answer: the bundle then carries no proofs. */
class DatabaseUnavailable extends Error {
  override name = 'DatabaseUnavailable';
}

interface Lookup {
  module: ModuleVersion;
  key: string;
  body: Buffer;
  answer: LookupAnswer;
  fromCache: boolean;
}

export function startProofs(setting: ChecksumDatabaseSetting, options: ProofOptions): ProofSession {
  return new Proofs(setting, parseVerifierKey(setting.key), options);
}

class Proofs implements ProofSession {
  private server: Promise<ProxyServer> | undefined;
  private readonly lookups = new Map<string, Promise<Lookup | undefined>>();
  private readonly tiles = new Map<string, Promise<{ data: Uint8Array; fromCache: boolean }>>();
  /** Tree sizes whose level-1+ and edge tiles are already asked for, ahead of the proof. */
  private readonly headsAhead = new Set<number>();

  constructor(
    private readonly setting: ChecksumDatabaseSetting,
    private readonly key: VerifierKey,
    private readonly options: ProofOptions,
  ) {}

  prefetch(module: ModuleVersion): void {
    if (isSumdbName(this.key.name) && usesChecksumDatabase(this.setting, module.path)) this.lookup(module).catch(() => undefined);
  }

  async prove(versions: readonly ModuleVersion[]): Promise<ProvenRecords> {
    const database = this.key.name;
    const publicVersions = versions.filter((m) => usesChecksumDatabase(this.setting, m.path));
    const base = { database, versions: 0, private: versions.length - publicVersions.length, unknown: [] as string[], files: [] as PlannedProofFile[] };
    // The go command allows host/path names; a bundle names the database as one path element.
    if (!isSumdbName(database)) return { proofs: { ...base, status: 'unavailable', reason: 'ModFerry carries the proofs of databases named like a host only (letters, digits, ".", "-", "_")' }, lines: new Map() };
    // Every lookup starts before any is awaited: they run beside the downloads, bounded by the client.
    const pending = publicVersions.map((m) => this.lookup(m));
    pending.forEach((p) => p.catch(() => undefined));
    try {
      const found = await Promise.all(pending);
      const unknown = publicVersions.filter((_, i) => found[i] === undefined).map((m) => `${m.path}@${m.version}`);
      const lookups = found.filter((l): l is Lookup => l !== undefined);
      if (lookups.length === 0) return { proofs: { ...base, status: 'carried', unknown }, lines: new Map() };
      return await this.proveLookups(lookups, { ...base, unknown });
    } catch (error) {
      if (!(error instanceof DatabaseUnavailable || error instanceof UpstreamError || error instanceof UnreachableError)) throw error;
      return { proofs: { ...base, status: 'unavailable', reason: errorMessage(error) }, lines: new Map() };
    }
  }

  private async proveLookups(lookups: Lookup[], base: Omit<PlanProofs, 'status'>): Promise<ProvenRecords> {
    const database = this.key.name;
    const heads = new Map<string, SignedTreeNote & { noteText: string }>();
    for (const { module, answer } of lookups) {
      verifyNoteSignature(answer.note, this.key);
      const same = heads.get(String(answer.note.size));
      if (same !== undefined && !Buffer.from(same.hash).equals(answer.note.hash)) {
        throw new ModFerryError('upstream', `checksum database ${database}: two signed tree heads of ${answer.note.size} records with different hashes (the database forked its log)`, module);
      }
      heads.set(String(answer.note.size), { ...answer.note, noteText: answer.noteText });
      checkRecordNames(database, module, answer);
    }
    const newest = [...heads.values()].reduce((a, b) => (b.size > a.size ? b : a));
    const older = [...heads.values()].filter((h) => h.size < newest.size);
    const wanted = new Map<string, Tile>();
    const want = (tiles: readonly Tile[]): void => tiles.forEach((tile) => wanted.set(tilePath(tile), tile));
    for (const { answer } of lookups) want(recordTiles(newest.size, answer.id));
    want(edgeTiles(newest.size));
    want(tilesFromLevel(newest.size, 1));
    for (const head of older) want(treeProofTiles(newest.size, head.size));
    const earlierHeads = [...new Set(this.options.earlierHeads?.get(database) ?? [])].filter((size) => size >= 1 && size < newest.size).sort((a, b) => a - b);
    for (const size of earlierHeads) want(treeProofTiles(newest.size, size));

    const fetched = await Promise.all([...wanted.values()].map(async (tile) => ({ tile, ...(await this.tile(tile)) })));
    const proven = new Map<string, ProvenTile>(fetched.map(({ tile, data }) => [tilePath(tile), { tile, data }]));
    verifyTiles(newest, proven, { database });
    // One log first (a head a lookup came with that the newest does not extend is a fork), then each record in it.
    for (const head of older) checkTreeConsistency(newest, head, proven, { database });
    for (const { module, answer } of lookups) checkRecord(newest, answer, proven, { database, ...moduleFields(module) });

    // Proven: what never changes is kept for the next export, and the bundle's files are kept by SHA-256.
    await Promise.all([
      ...lookups.filter((l) => !l.fromCache).map((l) => this.options.cache.beginWrite().then((w) => writeAll(w, l.body, l.key))),
      ...fetched.filter((f) => !f.fromCache && isFullTile(f.tile)).map((f) => this.options.cache.beginWrite().then((w) => writeAll(w, f.data, this.tileKey(f.tile)))),
    ]);
    const bundleFiles: Array<{ path: string; bytes: Uint8Array }> = [
      { path: formatSumdbPath({ name: database, kind: 'latest' }), bytes: Buffer.from(newest.noteText, 'utf8') },
      ...lookups.map((l) => ({ path: l.key, bytes: Buffer.from(formatRecordEntry(l.answer), 'utf8') })),
      ...fetched.map((f) => ({ path: this.tileKey(f.tile), bytes: f.data })),
    ];
    const files = await Promise.all(bundleFiles.map(async ({ path, bytes }) => {
      const blob = await writeAll(await this.options.cache.beginWrite(), bytes);
      return { path, size: blob.size, sha256: blob.sha256 };
    }));
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const lines = new Map(lookups.map((l) => [`${l.module.path}@${l.module.version}`, recordGoSumLines(l.answer).map(({ version, hash }) => ({ version, hash }))]));
    const proofs: PlanProofs = { ...base, status: 'carried', versions: lookups.length, treeSize: newest.size, ...(earlierHeads.length === 0 ? {} : { earlierHeads }), files };
    return { proofs, lines };
  }

  private lookup(module: ModuleVersion): Promise<Lookup | undefined> {
    const key = formatSumdbPath({ name: this.key.name, kind: 'lookup', modulePath: module.path, version: module.version });
    let running = this.lookups.get(key);
    if (running === undefined) {
      running = this.fetchLookup(module, key);
      this.lookups.set(key, running);
      running.then((found) => found && this.tilesAhead(found.answer), () => undefined);
    }
    return running;
  }

  private async fetchLookup(module: ModuleVersion, key: string): Promise<Lookup | undefined> {
    const cached = await this.options.cache.lookup(key);
    const body = cached === undefined ? await this.get(this.relative(key), `${module.path}@${module.version}`) : await readFile(cached.file);
    if (body === undefined) return undefined;
    let answer: LookupAnswer;
    try {
      answer = parseLookupBody(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch (error) {
      if (!(error instanceof LookupRecordError || error instanceof TreeNoteError || error instanceof TypeError)) throw error;
      throw new ModFerryError('upstream', `checksum database ${this.key.name}: the lookup answer is not one a checksum database writes: ${errorMessage(error)}`, moduleFields(module));
    }
    return { module, key, body, answer, fromCache: cached !== undefined };
  }

  /**
   * The tiles a lookup's record and head will most likely be proven with, asked for as it arrives, so
   * they come in while the other lookups and the downloads do instead of after the last of them. The
   * proof asks again for what it needs against the newest head and finds these under way; one that
   * fails here is forgotten, so the proof asks for it itself.
   */
  private tilesAhead(answer: LookupAnswer): void {
    const size = answer.note.size;
    const tiles = [...recordTiles(size, answer.id)];
    if (!this.headsAhead.has(size)) {
      this.headsAhead.add(size);
      tiles.push(...edgeTiles(size), ...tilesFromLevel(size, 1));
    }
    for (const tile of tiles) {
      const path = tilePath(tile);
      if (this.tiles.has(path)) continue;
      const running = this.tile(tile);
      running.catch(() => {
        if (this.tiles.get(path) === running) this.tiles.delete(path);
      });
    }
  }

  private tile(tile: Tile): Promise<{ data: Uint8Array; fromCache: boolean }> {
    const path = tilePath(tile);
    let running = this.tiles.get(path);
    if (running === undefined) {
      running = this.fetchTile(tile);
      this.tiles.set(path, running);
    }
    return running;
  }

  /** As the go command's client reads a tile: the width asked for, else a prefix of the full tile, which is all a database keeps once a tile completes. */
  private async fetchTile(tile: Tile): Promise<{ data: Uint8Array; fromCache: boolean }> {
    if (isFullTile(tile)) {
      const cached = await this.options.cache.lookup(this.tileKey(tile));
      if (cached !== undefined) return { data: await readFile(cached.file), fromCache: true };
    }
    const subject = `checksum database ${this.key.name}`;
    const own = await this.get(tilePath(tile), subject);
    if (own !== undefined) return { data: own, fromCache: false };
    const full = isFullTile(tile) ? undefined : await this.get(tilePath(fullTileOf(tile)), subject);
    if (full === undefined) throw new DatabaseUnavailable(`checksum database ${this.key.name} has no tile ${tilePath(tile)}`);
    return { data: full.subarray(0, tileBytes(tile)), fromCache: false };
  }

  private async get(file: string, subject: string): Promise<Buffer | undefined> {
    const server = await (this.server ??= this.findServer());
    return this.options.client.sumdbFile(server, file, subject);
  }

  /** modfetch's dbClient.initBase: GOSUMDB's URL, else the first proxy that proxies the database, else the database itself. */
  private async findServer(): Promise<ProxyServer> {
    if (this.setting.url !== undefined) return serverAt(this.setting.url, `GOSUMDB=${this.setting.key} ${this.setting.url}`);
    const subject = `checksum database ${this.key.name}`;
    for (const entry of parseGoproxy(this.options.upstream).entries) {
      if (entry.kind !== 'proxy') break;
      const proxied = { ...entry, base: `${entry.base}/sumdb/${this.key.name}` };
      try {
        if ((await this.options.client.sumdbFile(proxied, 'supported', subject)) !== undefined) return proxied;
      } catch (error) {
        if (!entry.fallBackOnError) throw error;
      }
    }
    return serverAt(`https://${this.key.name}`, `checksum database ${this.key.name}`);
  }

  private relative(key: string): string {
    return key.slice(`sumdb/${this.key.name}/`.length);
  }

  private tileKey(tile: Tile): string {
    return formatSumdbPath({ name: this.key.name, kind: 'tile', tile });
  }
}

/**
 * The hashes of the files downloaded must be the ones the database vouches for: the zip's h1 and the
 * go.mod's, as the go command checks them. A module version the proofs do not cover is not checked.
 */
export function checkAgainstRecords(database: string, lines: ReadonlyMap<string, ReadonlyArray<{ version: string; hash: string }>>, files: readonly VerifiedFile[]): void {
  for (const file of files) {
    if (file.kind === 'info' || file.h1 === undefined) continue;
    const record = lines.get(`${file.modulePath}@${file.version}`);
    if (record === undefined) continue;
    const version = file.kind === 'mod' ? `${file.version}/go.mod` : file.version;
    const said = record.find((line) => line.version === version);
    const what = file.kind === 'mod' ? 'go.mod' : 'zip';
    if (said === undefined) {
      throw new ModFerryError('upstream', `checksum database ${database}: its record has no ${what} hash for this version`, { module: file.modulePath, version: file.version });
    }
    if (said.hash !== file.h1) {
      throw new ModFerryError(
        'upstream',
        `checksum database ${database} records ${said.hash} for the ${what}, but the upstream's ${what} hashes to ${file.h1}: the upstream serves other bytes than those the database vouches for`,
        { module: file.modulePath, version: file.version },
      );
    }
  }
}

function checkRecordNames(database: string, module: ModuleVersion, answer: LookupAnswer): void {
  let lines;
  try {
    lines = recordGoSumLines(answer);
  } catch (error) {
    throw new ModFerryError('upstream', `checksum database ${database}: ${errorMessage(error)}`, moduleFields(module));
  }
  const stranger = lines.find((line) => line.path !== module.path || (line.version !== module.version && line.version !== `${module.version}/go.mod`));
  if (stranger !== undefined) {
    throw new ModFerryError('upstream', `checksum database ${database}: the lookup answered with a record of ${stranger.path} ${stranger.version}`, moduleFields(module));
  }
}

function serverAt(url: string, setting: string): ProxyServer {
  const [entry] = parseGoproxy(url).entries;
  if (entry?.kind !== 'proxy') throw new ModFerryError('input', `${setting}: ${JSON.stringify(url)} is not a URL to ask`);
  return entry;
}

function moduleFields(module: ModuleVersion): { module: string; version: string } {
  return { module: module.path, version: module.version };
}

async function writeAll(writer: Awaited<ReturnType<DownloadCache['beginWrite']>>, bytes: Uint8Array, key?: string): Promise<{ sha256: string; size: number }> {
  try {
    await writer.write(bytes);
    return await writer.commit(key);
  } catch (error) {
    await writer.discard();
    throw error;
  }
}
