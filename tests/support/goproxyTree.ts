import { createWriteStream, lstatSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { parseGoMod } from '../../shared/gomod/goModFile';
import { checkFilePath, escapePath, escapeVersion } from '../../shared/gomod/modulePath';
import type { DebianModule } from './debianModules';

/** One module version as published in a GOPROXY-layout tree. */
export interface PublishedVersion {
  path: string;
  version: string;
  modFile: string;
  zipFile: string;
}

const fixedTime = new Date('2024-01-02T03:04:05Z');

/**
 * Publishes modules as a GOPROXY file tree (`<escaped path>/@v/{list,V.info,V.mod,V.zip}`).
 * Requirements are rewritten to the versions this tree holds (and dropped where it holds none),
 * so the tree is one coherent universe the go command can resolve with no other source.
 */
export async function writeGoproxyTree(outDir: string, modules: readonly DebianModule[]): Promise<PublishedVersion[]> {
  const versionOf = new Map(modules.map((m) => [m.path, m.version]));
  const published: PublishedVersion[] = [];
  for (const mod of modules) {
    const vDir = path.join(outDir, escapePath(mod.path), '@v');
    await mkdir(vDir, { recursive: true });
    const base = path.join(vDir, escapeVersion(mod.version));
    const goMod = mod.goMod === undefined ? undefined : coherentGoMod(mod, versionOf);
    await writeFile(`${base}.mod`, goMod ?? `module ${mod.path}\n`);
    await writeFile(`${base}.info`, JSON.stringify({ Version: mod.version, Time: fixedTime.toISOString() }));
    await writeModuleZip(`${base}.zip`, mod, goMod);
    published.push({ path: mod.path, version: mod.version, modFile: `${base}.mod`, zipFile: `${base}.zip` });
  }
  for (const mod of modules) {
    const versions = modules.filter((m) => m.path === mod.path).map((m) => m.version);
    await writeFile(path.join(outDir, escapePath(mod.path), '@v', 'list'), versions.join('\n') + '\n');
  }
  return published;
}

function coherentGoMod(mod: DebianModule, versionOf: Map<string, string>): string {
  const parsed = parseGoMod(mod.goMod ?? '', `${mod.dir}/go.mod`, { lax: true });
  const requires = parsed.require
    .filter((r) => r.path !== mod.path && versionOf.has(r.path))
    .map((r) => `\t${r.path} ${versionOf.get(r.path)}${r.indirect ? ' // indirect' : ''}`);
  const lines = [`module ${mod.path}`, ''];
  if (parsed.go) lines.push(`go ${parsed.go.version}`, '');
  if (requires.length > 0) lines.push('require (', ...requires, ')', '');
  return lines.join('\n');
}

async function writeModuleZip(zipFile: string, mod: DebianModule, goMod: string | undefined): Promise<void> {
  const zip = new yazl.ZipFile();
  const prefix = `${mod.path}@${mod.version}/`;
  for (const rel of moduleFiles(mod.dir)) {
    if (rel !== 'go.mod') zip.addFile(path.join(mod.dir, rel), prefix + rel, { mtime: fixedTime, mode: 0o644 });
  }
  if (goMod !== undefined) zip.addBuffer(Buffer.from(goMod), `${prefix}go.mod`, { mtime: fixedTime, mode: 0o644 });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(zipFile));
}

/** The files the go command would put in the module's zip: no nested modules, VCS folders, vendor trees or links. */
function moduleFiles(root: string, rel = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const name = rel ? `${rel}/${entry.name}` : entry.name;
    const full = path.join(root, name);
    if (entry.isDirectory()) {
      if (['.git', '.hg', '.svn', '.bzr', 'vendor'].includes(entry.name)) continue;
      if (lstatSync(path.join(full, 'go.mod'), { throwIfNoEntry: false })) continue;
      files.push(...moduleFiles(root, name));
    } else if (entry.isFile() && isAllowedFileName(name)) {
      files.push(name);
    }
  }
  return files;
}

function isAllowedFileName(name: string): boolean {
  try {
    checkFilePath(name);
    return true;
  } catch {
    return false;
  }
}

/** A GOPROXY file tree with one v1.0.0 per module, for tests that build their own zips. */
export async function writeSingleVersionProxy(root: string, modules: Array<{ path: string; mod: string; zip: Buffer }>): Promise<void> {
  for (const m of modules) {
    const vDir = path.join(root, m.path, '@v');
    await mkdir(vDir, { recursive: true });
    await writeFile(path.join(vDir, 'list'), 'v1.0.0\n');
    await writeFile(path.join(vDir, 'v1.0.0.info'), '{"Version":"v1.0.0","Time":"2023-01-01T00:00:00Z"}');
    await writeFile(path.join(vDir, 'v1.0.0.mod'), m.mod);
    await writeFile(path.join(vDir, 'v1.0.0.zip'), m.zip);
  }
}
