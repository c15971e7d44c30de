// Builds better-sqlite3 for the installed Electron into dist/native/electron, beside the build for
// Node's ABI that `npm ci` leaves in node_modules: under Electron the app loads this one
// (electron/core/sqlite/nativeBinding.ts), under Node the CLI and the tests load node_modules' as
// before. Run by `npm start` and `npm run dist`; does nothing when the build there is for this
// Electron, this platform and this better-sqlite3 already.
//
// The module is copied to a staging folder under .tmp/ and rebuilt there with @electron/rebuild (the
// one electron-builder uses), which takes a prebuilt addon for this Electron when better-sqlite3
// publishes one, else compiles with node-gyp against Electron's headers; both are downloaded from
// where @electron/rebuild and better-sqlite3 say, so this needs the network once per Electron version.
//
// node scripts/electron-native.mjs [--dry-run] [--force] [--out DIR]
//   --dry-run  say what would be done, change nothing
//   --force    build even when the build in DIR is current
//   --out DIR  where the addon and its build.json go (default dist/native/electron)
import { copyFile, cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '..');
const { values: flags } = parseArgs({
  options: { 'dry-run': { type: 'boolean', default: false }, force: { type: 'boolean', default: false }, out: { type: 'string' } },
});

const projectRequire = createRequire(path.join(root, 'package.json'));
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const electronPackage = projectRequire.resolve('electron/package.json');
const sqliteDir = path.dirname(projectRequire.resolve('better-sqlite3/package.json'));
const abiFile = path.join(path.dirname(electronPackage), 'abi_version');

/** What a build is for; build.json records it, and a build for anything else is redone. */
const wanted = {
  electron: readJson(electronPackage).version,
  abi: existsSync(abiFile) ? readFileSync(abiFile, 'utf8').trim() : undefined,
  platform: process.platform,
  arch: process.arch,
  betterSqlite3: readJson(path.join(sqliteDir, 'package.json')).version,
};

const outDir = path.resolve(root, flags.out ?? path.join('dist', 'native', 'electron'));
const addon = path.join(outDir, 'better_sqlite3.node');
const stampFile = path.join(outDir, 'build.json');
const shown = (file) => path.relative(process.cwd(), file) || '.';
const describe = (build) => `better-sqlite3 ${build.betterSqlite3} for Electron ${build.electron} (${build.platform}-${build.arch})`;

const built = existsSync(stampFile) && existsSync(addon) ? readJson(stampFile) : undefined;
const current = built !== undefined && ['electron', 'platform', 'arch', 'betterSqlite3'].every((key) => built[key] === wanted[key]);

if (current && !flags.force) {
  console.log(`${describe(wanted)} is built: ${shown(addon)}`);
  process.exit(0);
}

const why = built === undefined ? 'not built yet' : current ? '--force' : `the build there is ${describe(built)}`;
console.log(`${flags['dry-run'] ? 'would build' : 'building'} ${describe(wanted)}${wanted.abi ? `, ABI ${wanted.abi},` : ''} into ${shown(addon)} (${why})`);

// electron-builder's own @electron/rebuild, so the app is built the way electron-builder would build it.
const builderRequire = createRequire(createRequire(projectRequire.resolve('electron-builder/package.json')).resolve('app-builder-lib/package.json'));
const rebuildEntry = builderRequire.resolve('@electron/rebuild');
const rebuildVersion = readJson(path.join(path.dirname(rebuildEntry), '..', 'package.json')).version;

if (flags['dry-run']) {
  console.log(`  copy ${shown(sqliteDir)} without its build to a staging folder under ${shown(path.join(root, '.tmp'))} (node_modules is not changed)`);
  console.log(`  @electron/rebuild ${rebuildVersion} there: a prebuilt addon for Electron ${wanted.electron} if published, else node-gyp with Electron's headers`);
  console.log(`  copy its build/Release/better_sqlite3.node to ${shown(addon)} and record the build in ${shown(stampFile)}`);
  process.exit(0);
}

await mkdir(path.join(root, '.tmp'), { recursive: true });
const stage = await mkdtemp(path.join(root, '.tmp', 'electron-native-'));
try {
  const stagedModule = path.join(stage, 'node_modules', 'better-sqlite3');
  const nodeBuild = path.join(sqliteDir, 'build');
  await cp(sqliteDir, stagedModule, { recursive: true, filter: (file) => file !== nodeBuild && !file.startsWith(nodeBuild + path.sep) });
  await writeFile(
    path.join(stage, 'package.json'),
    JSON.stringify({ name: 'modferry-electron-native', private: true, dependencies: { 'better-sqlite3': wanted.betterSqlite3 } }),
  );
  const { rebuild } = await import(pathToFileURL(rebuildEntry).href);
  const failure = await rebuild({ buildPath: stage, electronVersion: wanted.electron, arch: wanted.arch, onlyModules: ['better-sqlite3'], force: true, mode: 'sequential' }).then(
    () => undefined,
    (error) => error,
  );
  if (failure !== undefined) {
    console.error(`could not build ${describe(wanted)}: ${failure.message}`);
    console.error(`It needs the network once per Electron version: a prebuilt addon, or Electron's headers and a C++ toolchain for node-gyp.`);
    process.exitCode = 1;
  } else {
    await mkdir(outDir, { recursive: true });
    // The addon first, then the record saying what it is: an interrupted run leaves no record that lies.
    await rm(stampFile, { force: true });
    await copyFile(path.join(stagedModule, 'build', 'Release', 'better_sqlite3.node'), `${addon}.partial`);
    await rename(`${addon}.partial`, addon);
    await writeFile(stampFile, `${JSON.stringify(wanted, null, 2)}\n`);
    console.log(`${describe(wanted)} is built: ${shown(addon)}`);
  }
} finally {
  await rm(stage, { recursive: true, force: true });
}
