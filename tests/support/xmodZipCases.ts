/**
 * golang.org/x/mod's own module zip test data (tests/fixtures/xmodzip, copied unchanged), loaded as
 * x/mod's zip_test.go loads it, and the zips its tests make from it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import yazl from 'yazl';
import { decodeKeepingInvalidBytes, parseTxtar, type TxtarArchive } from './txtar';

export const xmodZipFixtures = path.join(__dirname, '..', 'fixtures', 'xmodzip');

export interface XmodZipCase {
  /** `create/simple` and the like: the folder and file the case came from. */
  name: string;
  path: string;
  version: string;
  /** Part of the error x/mod reports, when it refuses. */
  wantErr?: string;
  /** The h1 x/mod computes, when it accepts and the case gives one. */
  hash?: string;
  archive: TxtarArchive;
}

export function loadXmodZipCases(folder: 'check_zip' | 'create' | 'unzip'): XmodZipCase[] {
  const dir = path.join(xmodZipFixtures, folder);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.txt'))
    .sort()
    .map((file) => {
      const name = `${folder}/${file.slice(0, -'.txt'.length)}`;
      const archive = parseTxtar(readFileSync(path.join(dir, file)));
      return { name, archive, ...readKeys(name, archive.comment) };
    });
}

// As zip_test.go's readTest: key=value lines, `#` starting a comment.
function readKeys(name: string, comment: Buffer): Pick<XmodZipCase, 'path' | 'version' | 'wantErr' | 'hash'> {
  const keys: Record<string, string> = {};
  for (const raw of decodeKeepingInvalidBytes(comment).split('\n')) {
    const hash = raw.indexOf('#');
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`${name}: missing = separator in ${JSON.stringify(line)}`);
    keys[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  const { path: modulePath, version, wantErr, hash } = keys;
  if (modulePath === undefined || version === undefined) throw new Error(`${name}: no path or version`);
  return { path: modulePath, version, ...(wantErr === undefined ? {} : { wantErr }), ...(hash === undefined ? {} : { hash }) };
}

/**
 * A zip holding the entries in order, as Go's zip.Writer.Create writes them: a name ending in `/` is a
 * directory. yazl refuses names such as `not/../clean` that Go writes as given, so those go in under a
 * stand-in name of the same length, replaced in the finished bytes.
 */
export async function zipOf(entries: ReadonlyArray<{ name: string; data: Buffer }>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const mtime = new Date('2019-01-01T00:00:00Z');
  const standIns: Array<{ standIn: Buffer; name: Buffer }> = [];
  entries.forEach(({ name, data }, i) => {
    const nameBytes = Buffer.from(name, 'utf8');
    let written = name;
    if (name.split('/').some((elem) => elem === '..' || elem === '.')) {
      written = `${i}~`.padEnd(nameBytes.length, '~');
      if (written.length !== nameBytes.length) throw new Error(`no stand-in fits the name ${JSON.stringify(name)}`);
      standIns.push({ standIn: Buffer.from(written), name: nameBytes });
    }
    if (name.endsWith('/')) zip.addEmptyDirectory(written, { mtime });
    else zip.addBuffer(data, written, { mtime });
  });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  for (const { standIn, name } of standIns) {
    // Once in the local header, once in the central directory.
    for (let at = bytes.indexOf(standIn); at >= 0; at = bytes.indexOf(standIn, at + 1)) name.copy(bytes, at);
  }
  return bytes;
}

/**
 * The files x/mod's zip.Create puts in a module zip: it leaves out files in vendored packages and in
 * submodules (a folder with a go.mod of any case), which are its choices of content, not rules of a
 * zip; what it keeps, it then judges as CheckZip does.
 */
export function filesCreateKeeps(files: TxtarArchive['files']): TxtarArchive['files'] {
  const submodules = new Set(files.filter((f) => path.posix.basename(f.name).toLowerCase() === 'go.mod').map((f) => path.posix.dirname(f.name)));
  const rootGoMod = files.find((f) => f.name === 'go.mod');
  const go124 = rootGoMod !== undefined && goVersionAtLeast(rootGoMod.data.toString('utf8'), 1, 24);
  const inSubmodule = (name: string): boolean => {
    for (let dir = path.posix.dirname(name); dir !== '.'; dir = path.posix.dirname(dir)) if (submodules.has(dir)) return true;
    return false;
  };
  return files.filter((f) => !isVendoredPackage(f.name, go124) && !inSubmodule(f.name) && f.name !== '.hg_archival.txt');
}

// x/mod's isVendoredPackage, including its go 1.24 change.
function isVendoredPackage(name: string, go124: boolean): boolean {
  if (go124 && name === 'vendor/modules.txt') return true;
  let at: number;
  if (name.startsWith('vendor/')) at = 'vendor/'.length;
  else {
    const inner = name.indexOf('/vendor/');
    if (inner < 0) return false;
    at = go124 ? inner + '/vendor/'.length : '/vendor/'.length;
  }
  return name.slice(at).includes('/');
}

function goVersionAtLeast(goMod: string, major: number, minor: number): boolean {
  const match = /^go\s+(\d+)\.(\d+)/m.exec(goMod);
  if (match === null) return false;
  const [got, gotMinor] = [Number(match[1]), Number(match[2])];
  return got > major || (got === major && gotMinor >= minor);
}
