/**
 * Real files for bundle tests: module zips built with yazl under `path@version/`, .mod and
 * .info text and list files, laid out as a download cache would hold them, described as
 * writeBundle takes them. Also a way to sign a hand-made manifest, for volumes crafted
 * byte by byte.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Header, Pax, type HeaderData } from 'tar';
import yazl from 'yazl';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  MANIFEST_FILE,
  serializeManifest,
  SIGNATURE_FILE,
  volumeName,
  type BundleEntry,
  type BundleManifest,
} from '../../shared/bundle/manifest';
import { escapePath, escapeVersion } from '../../shared/gomod/modulePath';
import type { BundleSourceFile } from '../../electron/core/bundle/writeBundle';
import { serializeManifestSignature, signManifest } from '../../electron/core/keys/manifestSignature';
import { publicKeyFingerprint } from '../../electron/core/keys/publicKey';
import type { SigningKey } from '../../electron/core/keys/signingKey';
import { hashGoModBytes, hashModuleZip } from '../../electron/core/modzip/hashModuleZip';

export interface SourceModule {
  path: string;
  version: string;
  /** Files of the module, by name relative to its root (go.mod is added from goMod). */
  files?: Record<string, string | Buffer>;
  goMod?: string;
}

const fixedTime = new Date('2024-01-02T03:04:05Z');

export async function makeTempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `modferry-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A fresh Ed25519 key, without touching the disk. */
export function testSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, fingerprint: publicKeyFingerprint(publicKey) };
}

/** Writes the modules' files under cacheDir, as tree paths, and describes them for writeBundle. */
export async function makeBundleSources(cacheDir: string, modules: readonly SourceModule[]): Promise<BundleSourceFile[]> {
  const sources: BundleSourceFile[] = [];
  const add = async (treePath: string, content: Buffer, h1?: (file: string) => Promise<string>): Promise<void> => {
    const source = path.join(cacheDir, ...treePath.split('/'));
    await mkdir(path.dirname(source), { recursive: true });
    await writeFile(source, content);
    const file: BundleSourceFile = { path: treePath, source, size: content.length, sha256: sha256Hex(content) };
    if (h1 !== undefined) file.h1 = await h1(source);
    sources.push(file);
  };
  const versionsByPath = new Map<string, string[]>();
  for (const mod of modules) {
    const base = `${escapePath(mod.path)}/@v/${escapeVersion(mod.version)}`;
    const goMod = Buffer.from(mod.goMod ?? `module ${mod.path}\n\ngo 1.21\n`);
    await add(`${base}.info`, Buffer.from(JSON.stringify({ Version: mod.version, Time: fixedTime.toISOString() })));
    await add(`${base}.mod`, goMod, async () => hashGoModBytes(goMod));
    await add(`${base}.zip`, await moduleZip(mod, goMod), hashModuleZip);
    versionsByPath.set(mod.path, [...(versionsByPath.get(mod.path) ?? []), mod.version]);
  }
  for (const [modulePath, versions] of versionsByPath) {
    await add(`${escapePath(modulePath)}/@v/list`, Buffer.from(`${versions.join('\n')}\n`));
  }
  return sources;
}

export async function moduleZip(mod: SourceModule, goMod: Buffer): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const prefix = `${mod.path}@${mod.version}/`;
  zip.addBuffer(goMod, `${prefix}go.mod`, { mtime: fixedTime, mode: 0o644 });
  for (const [name, content] of Object.entries(mod.files ?? { 'main.go': `package ${mod.path.split('/').at(-1)?.replace(/\W/g, '') ?? 'm'}\n` })) {
    zip.addBuffer(Buffer.from(content), `${prefix}${name}`, { mtime: fixedTime, mode: 0o644 });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export interface CraftedTarEntry {
  path: string;
  type?: HeaderData['type'];
  linkpath?: string;
  content?: Buffer | string;
}

/**
 * A tar archive written header by header with the tar package's encoder, so a test can put
 * in it what no well-behaved writer would: links, `..`, absolute paths, unlisted files.
 */
export function craftTar(entries: readonly CraftedTarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const content = Buffer.from(entry.content ?? '');
    const header = new Header({
      path: entry.path,
      type: entry.type ?? 'File',
      size: content.length,
      mode: 0o644,
      mtime: fixedTime,
      ...(entry.linkpath === undefined ? {} : { linkpath: entry.linkpath }),
    });
    if (header.encode()) blocks.push(new Pax({ path: entry.path }).encode());
    if (header.block === undefined) throw new Error('tar header was not encoded');
    blocks.push(header.block, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export interface CraftedVolume {
  /** The volume's bytes, exactly as they go on disk. */
  bytes: Buffer;
  /** The manifest entries it claims to hold (their volume index is filled in). */
  entries: Array<Omit<BundleEntry, 'volume'>>;
}

/**
 * A signed bundle around hand-made volume bytes: the manifest lists each volume with its
 * real size and hash, so only the checks on what is inside the volumes can refuse it.
 */
export async function writeSignedBundle(
  parentDir: string,
  volumes: readonly CraftedVolume[],
  key: SigningKey,
  bundleId = 'mf-20261125-0badc0de',
): Promise<{ bundleDir: string; manifest: BundleManifest }> {
  const bundleDir = path.join(parentDir, bundleId);
  await mkdir(bundleDir, { recursive: true });
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    bundleId,
    createdAt: '2026-11-25T13:05:00Z',
    tool: { name: 'modferry', version: 'test' },
    inputs: [{ kind: 'module', value: 'example.com/a@v1.0.0' }],
    volumes: volumes.map((volume, i) => ({
      index: i + 1,
      name: volumeName(bundleId, i + 1, volumes.length),
      size: volume.bytes.length,
      sha256: sha256Hex(volume.bytes),
    })),
    entries: volumes.flatMap((volume, i) => volume.entries.map((entry) => ({ ...entry, volume: i + 1 }))),
  };
  for (const volume of manifest.volumes) {
    await writeFile(path.join(bundleDir, volume.name), volumes[volume.index - 1]?.bytes ?? Buffer.alloc(0));
  }
  await writeManifestAndSignature(bundleDir, manifest, key);
  return { bundleDir, manifest };
}

/** (Re)writes manifest.json and a valid manifest.sig for it. */
export async function writeManifestAndSignature(bundleDir: string, manifest: BundleManifest, key: SigningKey): Promise<void> {
  const bytes = Buffer.from(serializeManifest(manifest));
  await writeFile(path.join(bundleDir, MANIFEST_FILE), bytes);
  await writeFile(path.join(bundleDir, SIGNATURE_FILE), serializeManifestSignature(signManifest(bytes, key)));
}

export async function readManifestFile(bundleDir: string): Promise<BundleManifest> {
  return JSON.parse(await readFile(path.join(bundleDir, MANIFEST_FILE), 'utf8')) as BundleManifest;
}
