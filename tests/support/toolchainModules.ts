/**
 * Go toolchains as golang.org/toolchain module versions, laid out as cmd/distpack writes them (a
 * binary distribution under `golang.org/toolchain@v0.0.1-<name>.<goos>-<goarch>/`, no go.mod at the
 * root, the go.mod files below renamed _go.mod, bin/ and pkg/tool/ executable; the .mod is the
 * `module golang.org/toolchain` line), with tiny stand-ins for the binaries.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { escapePath } from '../../shared/gomod/modulePath';

const TOOLCHAIN = 'golang.org/toolchain';
const TIME = '2024-05-07T17:41:57Z';

/** Adds each toolchain for each platform to the GOPROXY tree, and lists every version the tree then holds. */
export async function publishToolchains(treeDir: string, builds: ReadonlyArray<{ name: string; platforms: readonly string[] }>): Promise<string[]> {
  const vDir = path.join(treeDir, escapePath(TOOLCHAIN), '@v');
  await mkdir(vDir, { recursive: true });
  for (const { name, platforms } of builds) {
    for (const platform of platforms) {
      const [goos = '', goarch = ''] = platform.split('/');
      const version = `v0.0.1-${name}.${goos}-${goarch}`;
      await writeFile(path.join(vDir, `${version}.mod`), `module ${TOOLCHAIN}\n`);
      await writeFile(path.join(vDir, `${version}.info`), `{"Version":"${version}", "Time":"${TIME}"}\n`);
      await writeToolchainZip(path.join(vDir, `${version}.zip`), `${TOOLCHAIN}@${version}`, name, goos, goarch);
    }
  }
  const versions = (await readdir(vDir)).filter((f) => f.endsWith('.zip')).map((f) => f.slice(0, -'.zip'.length)).sort();
  await writeFile(path.join(vDir, 'list'), versions.map((v) => `${v}\n`).join(''));
  return versions;
}

async function writeToolchainZip(file: string, prefix: string, name: string, goos: string, goarch: string): Promise<void> {
  const exe = goos === 'windows' ? '.exe' : '';
  const tool = `pkg/tool/${goos}_${goarch}`;
  const entries: Array<[string, string, number]> = [
    ['VERSION', `${name}\ntime ${TIME}\n`, 0o644],
    ['go.env', 'GOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\nGOTOOLCHAIN=auto\n', 0o644],
    [`bin/go${exe}`, `#!/bin/sh\necho "go version ${name} ${goos}/${goarch}"\n`, 0o755],
    [`bin/gofmt${exe}`, '#!/bin/sh\n', 0o755],
    [`${tool}/compile${exe}`, '#!/bin/sh\n', 0o755],
    [`${tool}/link${exe}`, '#!/bin/sh\n', 0o755],
    ['src/_go.mod', 'module std\n\ngo 1.22\n', 0o644],
    ['src/cmd/_go.mod', 'module cmd\n\ngo 1.22\n', 0o644],
    ['src/fmt/print.go', 'package fmt\n', 0o644],
    ['lib/time/zoneinfo.zip', 'zoneinfo', 0o644],
  ];
  const zip = new yazl.ZipFile();
  const mtime = new Date(TIME);
  for (const [entry, text, mode] of entries) zip.addBuffer(Buffer.from(text), `${prefix}/${entry}`, { mtime, mode });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
}
