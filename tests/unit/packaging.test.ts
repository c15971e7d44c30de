/**
 * Packaging, checked without packaging: Electron's binary cannot be downloaded here, so
 * electron-builder.yml is loaded and validated by electron-builder's own loader and schema, its
 * asarUnpack is checked against the files the worker threads and forked workers really import,
 * the icons against their SVG, and scripts/electron-native.mjs is run for what it decides.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { unpackedPath } from '../../electron/core/asar/unpackedPath';
import { ZIP_CHECK_WORKER_FILE } from '../../electron/core/modzip/zipCheckPool';
import { workerRuntimeEnv } from '../../electron/core/serve/proxyCluster';
import { ELECTRON_SQLITE_BINDING, sqliteNativeBinding } from '../../electron/core/sqlite/nativeBinding';
import { makeTempDir } from '../support/bundleSources';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');

/** electron-builder's own modules, reached the way electron-builder reaches them. */
const builderRequire = createRequire(createRequire(require.resolve('electron-builder/package.json')).resolve('app-builder-lib/package.json'));
const { getConfig, validateConfiguration } = builderRequire('./out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: null): Promise<BuilderConfig>;
  validateConfiguration(config: BuilderConfig, debugLogger: unknown): Promise<void>;
};
const { DebugLogger } = builderRequire('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
const { convertIcon } = builderRequire('./out/util/iconConverter') as {
  convertIcon(options: { sources: string[]; fallbackSources: string[]; roots: string[]; format: 'set'; outDir: string }): Promise<{ icons: { file: string; size: number }[]; isFallback: boolean }>;
};
const { getNodeModuleFileMatcher } = builderRequire('./out/fileMatcher') as {
  getNodeModuleFileMatcher(appDir: string, destination: string, macroExpander: (s: string) => string, platformOptions: object, packager: object): {
    createFilter(): (file: string, stat: { isDirectory(): boolean; moduleFullFilePath: string }) => boolean;
  };
};
const { minimatch } = builderRequire('minimatch') as { minimatch(file: string, pattern: string, options: { dot: boolean }): boolean };

interface PlatformConfig {
  target?: string | string[];
  icon?: string;
  maintainer?: string;
}
interface BuilderConfig {
  appId?: string;
  productName?: string;
  copyright?: string;
  icon?: string;
  directories?: { buildResources?: string; output?: string };
  files?: { filter?: string[] }[];
  asarUnpack?: string[];
  npmRebuild?: boolean;
  electronFuses?: { runAsNode?: boolean };
  linux?: PlatformConfig;
  mac?: PlatformConfig;
  win?: PlatformConfig;
}

/** A path matched by electron-builder's globs as it matches them: relative to the app, `dot` on. */
const matchesAny = (file: string, patterns: readonly string[]): boolean => patterns.some((pattern) => minimatch(file, pattern, { dot: true }));
const targets = (platform: PlatformConfig | undefined): string[] => [platform?.target ?? []].flat();

let config: BuilderConfig;
before(async () => {
  config = await getConfig(root, null, null);
});

describe('electron-builder.yml', () => {
  test('passes electron-builder’s own schema, which does refuse an unknown option', async () => {
    await validateConfiguration(config, new DebugLogger(false));
    await assert.rejects(validateConfiguration({ ...config, linux: { ...config.linux, bogus: true } as PlatformConfig }, new DebugLogger(false)), /configuration\.linux/);
  });

  test('names the app and who makes it, as the deb needs (maintainer, author email, homepage)', () => {
    assert.equal(config.appId, 'dev.modferry.app');
    assert.equal(config.productName, 'ModFerry');
    assert.match(config.copyright ?? '', /ModFerry/);
    assert.match(config.linux?.maintainer ?? '', /^.+ <[^@\s]+@[^@\s]+>$/);
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { author?: { name?: string; email?: string }; homepage?: string };
    assert.ok(pkg.author?.name && pkg.author.email, 'package.json author with an email');
    assert.match(pkg.homepage ?? '', /^https:\/\//);
  });

  test('targets AppImage and deb, nsis and portable, dmg', () => {
    assert.deepEqual(targets(config.linux).sort(), ['AppImage', 'deb']);
    assert.deepEqual(targets(config.win).sort(), ['nsis', 'portable']);
    assert.deepEqual(targets(config.mac), ['dmg']);
  });

  test('leaves node_modules alone: no in-place rebuild for Electron, which would take the Node build from the CLI and the tests', () => {
    assert.equal(config.npmRebuild, false);
  });

  test('packs the app and the Electron build of better-sqlite3, and none of better-sqlite3’s sources or its Node build', () => {
    const patterns = config.files?.flatMap((set) => set.filter ?? []) ?? [];
    const packedAppFile = (file: string) => matchesAny(file, patterns.filter((p) => !p.startsWith('!'))) && !matchesAny(file, patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1)));
    for (const file of ['dist/electron/main/main.js', 'dist/electron/core/modzip/zipCheckWorker.js', `dist/${ELECTRON_SQLITE_BINDING}`, 'package.json']) {
      assert.ok(packedAppFile(file), `${file} is packed`);
    }
    // node_modules go through electron-builder's own filter for them, as it copies each module.
    const moduleFilter = getNodeModuleFileMatcher(root, path.join(root, 'release', 'app'), (s: string) => s, {}, { config, debugLogger: { isEnabled: false } }).createFilter();
    const packedModuleEntry = (file: string, isDirectory = false) => moduleFilter(path.join(root, file), { isDirectory: () => isDirectory, moduleFullFilePath: file });
    for (const file of ['node_modules/better-sqlite3/lib/index.js', 'node_modules/better-sqlite3/package.json', 'node_modules/drivelist/build/Release/drivelist.node']) {
      assert.ok(packedModuleEntry(file), `${file} is packed`);
    }
    assert.ok(!packedModuleEntry('node_modules/better-sqlite3/build', true), 'better-sqlite3/build is left out');
    assert.ok(!packedModuleEntry('node_modules/better-sqlite3/deps', true), 'better-sqlite3/deps is left out');
    for (const file of ['node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c', 'node_modules/better-sqlite3/src/better_sqlite3.cpp']) {
      assert.ok(!packedModuleEntry(file), `${file} is left out`);
    }
  });

  test('unpacks the native addons from the asar archive', () => {
    const unpack = config.asarUnpack ?? [];
    for (const file of [`dist/${ELECTRON_SQLITE_BINDING}`, 'node_modules/better-sqlite3/lib/database.js', 'node_modules/drivelist/build/Release/drivelist.node', 'node_modules/drivelist/js/index.js']) {
      assert.ok(matchesAny(file, unpack), `${file} is unpacked`);
    }
  });

  for (const entry of ['electron/core/modzip/zipCheckWorker.ts', 'electron/core/serve/proxyClusterWorker.ts']) {
    test(`unpacks ${path.basename(entry, '.ts')} and everything it imports, so it runs from real files`, () => {
      const { files, packages } = importClosure(path.join(root, entry));
      assert.ok(files.length > 1);
      const unpack = config.asarUnpack ?? [];
      for (const file of files) {
        const built = `dist/${path.relative(root, file).split(path.sep).join('/').replace(/\.ts$/, '.js')}`;
        assert.ok(matchesAny(built, unpack), `${built} (imported by ${entry}) is unpacked`);
      }
      for (const name of packages) assert.ok(matchesAny(`node_modules/${name}/package.json`, unpack), `${name} (imported by ${entry}) is unpacked`);
    });
  }

  test('keeps the RunAsNode fuse on: serve’s forked workers are the app’s binary run as Node', () => {
    assert.equal(config.electronFuses?.runAsNode, true);
  });
});

describe('icons', () => {
  const svgHash = () => createHash('sha256').update(readFileSync(path.join(root, 'build', 'icon.svg'))).digest('hex');
  const linuxSizes = [16, 24, 32, 48, 64, 128, 256, 512];

  test('icon.png is 1024x1024 (macOS .icns wants 512 at least, the .ico 256) and rendered from the current SVG', () => {
    assert.equal(config.directories?.buildResources, 'build');
    const png = readPng(path.join(root, 'build', config.icon ?? ''));
    assert.deepEqual([png.width, png.height], [1024, 1024]);
    assert.equal(png.text.Source, `build/icon.svg sha256:${svgHash()}`);
  });

  test('Linux takes build/icons as electron-builder reads it: one PNG per size, each that size, from the current SVG', async () => {
    const { dir, cleanup } = await makeTempDir('icons-set');
    try {
      const buildResources = path.join(root, 'build');
      const set = await convertIcon({ sources: [config.linux?.icon ?? ''], fallbackSources: [], roots: [buildResources, root], format: 'set', outDir: dir });
      assert.equal(set.isFallback, false);
      assert.deepEqual(set.icons.map((icon) => icon.size), linuxSizes);
      for (const icon of set.icons) {
        const png = readPng(icon.file);
        assert.deepEqual([png.width, png.height], [icon.size, icon.size], icon.file);
        assert.equal(png.text.Source, `build/icon.svg sha256:${svgHash()}`, icon.file);
      }
      assert.deepEqual(readdirSync(path.join(buildResources, 'icons')).sort(), linuxSizes.map((n) => `${n}x${n}.png`).sort());
    } finally {
      await cleanup();
    }
  });

  test('scripts/icons.mjs renders every size with Chromium', async () => {
    const { dir, cleanup } = await makeTempDir('icons-render');
    try {
      await run(process.execPath, [path.join(root, 'scripts', 'icons.mjs'), '--out', dir], { cwd: root, timeout: 60_000 });
      for (const [file, size] of [['icon.png', 1024], ...linuxSizes.map((n) => [path.join('icons', `${n}x${n}.png`), n] as const)] as const) {
        const png = readPng(path.join(dir, file));
        assert.deepEqual([png.width, png.height], [size, size], file);
        assert.equal(png.text.Source, `build/icon.svg sha256:${svgHash()}`, file);
      }
    } finally {
      await cleanup();
    }
  });
});

describe('better-sqlite3 for Node and for Electron', () => {
  test('Node loads node_modules’ build; Electron the Electron build, unpacked beside the asar archive when packaged', () => {
    assert.equal(sqliteNativeBinding({}, '/src/modferry/dist'), undefined);
    assert.equal(sqliteNativeBinding({ electron: '45.5.0' }, '/src/modferry/dist'), '/src/modferry/dist/native/electron/better_sqlite3.node');
    assert.equal(
      sqliteNativeBinding({ electron: '45.5.0' }, '/opt/ModFerry/resources/app.asar/dist'),
      '/opt/ModFerry/resources/app.asar.unpacked/dist/native/electron/better_sqlite3.node',
    );
    assert.equal(sqliteNativeBinding(process.versions, '/src/modferry/dist'), undefined, 'this test runs under Node');
  });

  test('only sqliteDatabase.ts opens SQLite, so every database under Electron gets the Electron build', () => {
    const openers: string[] = [];
    for (const file of sourceFiles(path.join(root, 'electron'))) {
      if (imports(file).some((i) => i.specifier === 'better-sqlite3' && !i.typeOnly)) openers.push(path.relative(root, file));
    }
    assert.deepEqual(openers, [path.join('electron', 'core', 'sqlite', 'sqliteDatabase.ts')]);
  });

  describe('scripts/electron-native.mjs', () => {
    const electronVersion = (JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }).version;
    const sqliteVersion = (JSON.parse(readFileSync(require.resolve('better-sqlite3/package.json'), 'utf8')) as { version: string }).version;
    const build = { electron: electronVersion, platform: process.platform, arch: process.arch, betterSqlite3: sqliteVersion };
    const described = (b: typeof build) => `better-sqlite3 ${b.betterSqlite3} for Electron ${b.electron} (${b.platform}-${b.arch})`;
    const nodeBuild = path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
    const script = path.join(root, 'scripts', 'electron-native.mjs');
    const native = (...args: string[]) => run(process.execPath, [script, ...args], { cwd: root, timeout: 30_000 });
    const stages = () => (existsSync(path.join(root, '.tmp')) ? readdirSync(path.join(root, '.tmp')).filter((n) => n.startsWith('electron-native-')) : []);

    let dir: string;
    let cleanup: () => Promise<void>;
    let nodeBuildHash: string;
    before(async () => {
      ({ dir, cleanup } = await makeTempDir('electron-native'));
      nodeBuildHash = createHash('sha256').update(await readFile(nodeBuild)).digest('hex');
    });
    after(async () => {
      await cleanup();
      assert.equal(createHash('sha256').update(await readFile(nodeBuild)).digest('hex'), nodeBuildHash, 'node_modules’ build is untouched');
    });

    test('by default builds into dist/, where the app looks for it', async () => {
      const { stdout } = await native('--dry-run', '--force');
      assert.match(stdout, new RegExp(`into ${escape(path.join('dist', ELECTRON_SQLITE_BINDING))} `));
    });

    test('--dry-run says what it would build, how and where, and changes nothing', async () => {
      const out = path.join(dir, 'none');
      const before = stages();
      const { stdout } = await native('--dry-run', '--out', out);
      assert.match(stdout, new RegExp(`^would build ${escape(described(build))}.* into .*better_sqlite3\\.node \\(not built yet\\)`));
      assert.match(stdout, /@electron\/rebuild \d+\.\d+\.\d+ there/);
      assert.match(stdout, /node_modules is not changed/);
      assert.equal(existsSync(out), false);
      assert.deepEqual(stages(), before);
    });

    test('skips a build made for this Electron, platform and better-sqlite3', async () => {
      const out = path.join(dir, 'current');
      await mkdir(out);
      await writeFile(path.join(out, 'better_sqlite3.node'), 'an addon');
      await writeFile(path.join(out, 'build.json'), JSON.stringify(build));
      const { stdout } = await native('--out', out);
      assert.match(stdout, new RegExp(`^${escape(described(build))} is built: `));
      assert.equal(await readFile(path.join(out, 'better_sqlite3.node'), 'utf8'), 'an addon');
    });

    test('rebuilds one made for another Electron, and any with --force', async () => {
      const out = path.join(dir, 'stale');
      await mkdir(out);
      await writeFile(path.join(out, 'better_sqlite3.node'), 'an addon');
      const old = { ...build, electron: '44.0.0' };
      await writeFile(path.join(out, 'build.json'), JSON.stringify(old));
      assert.match((await native('--dry-run', '--out', out)).stdout, new RegExp(`^would build .*\\(the build there is ${escape(described(old))}\\)`));
      await writeFile(path.join(out, 'build.json'), JSON.stringify(build));
      assert.match((await native('--dry-run', '--force', '--out', out)).stdout, /^would build .*\(--force\)/);
    });
  });
});

describe('worker threads and forked workers in the packaged app', () => {
  test('a file in the asar archive is taken from app.asar.unpacked beside it; any other path is left as it is', () => {
    assert.equal(unpackedPath('/opt/ModFerry/resources/app.asar/dist/electron/core/modzip/zipCheckWorker.js'), '/opt/ModFerry/resources/app.asar.unpacked/dist/electron/core/modzip/zipCheckWorker.js');
    assert.equal(unpackedPath('C:\\Program Files\\ModFerry\\resources\\app.asar\\dist\\x.js'), 'C:\\Program Files\\ModFerry\\resources\\app.asar.unpacked\\dist\\x.js');
    assert.equal(unpackedPath('/tmp/.mount_ModFerry/resources/app.asar'), '/tmp/.mount_ModFerry/resources/app.asar.unpacked');
    for (const unchanged of ['/opt/ModFerry/resources/app.asar.unpacked/dist/x.js', '/src/myapp.asar/x.js', '/src/app.asarx/x.js', path.join(root, 'dist', 'x.js')]) {
      assert.equal(unpackedPath(unchanged), unchanged);
    }
  });

  test('under Node the zip check worker is the file beside the pool, as before', () => {
    assert.equal(ZIP_CHECK_WORKER_FILE, path.join(root, 'electron', 'core', 'modzip', 'zipCheckWorker.ts'));
  });

  test('a forked serve worker runs as Node under Electron, and gets nothing more under Node', () => {
    assert.deepEqual(workerRuntimeEnv({ electron: '45.5.0' }), { ELECTRON_RUN_AS_NODE: '1' });
    assert.deepEqual(workerRuntimeEnv({}), {});
  });
});

interface ImportRef {
  specifier: string;
  typeOnly: boolean;
}

/** What a TypeScript file imports, and whether only types (which tsc leaves out of the build). */
function imports(file: string): ImportRef[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const refs: ImportRef[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      const named = clause?.namedBindings;
      const onlyTypeNames = clause?.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly);
      refs.push({ specifier: statement.moduleSpecifier.text, typeOnly: clause?.isTypeOnly === true || onlyTypeNames });
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined && ts.isStringLiteral(statement.moduleSpecifier)) {
      refs.push({ specifier: statement.moduleSpecifier.text, typeOnly: statement.isTypeOnly });
    }
  }
  return refs;
}

/** The source files a file loads at run time, itself included, and the npm packages they load. */
function importClosure(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const { specifier, typeOnly } of imports(file)) {
      if (typeOnly || specifier.startsWith('node:')) continue;
      if (specifier.startsWith('.')) pending.push(`${path.resolve(path.dirname(file), specifier)}.ts`);
      else packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
    }
  }
  return { files: [...files], packages: [...packages] };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** A PNG's size from its IHDR chunk, and its tEXt chunks. */
function readPng(file: string): { width: number; height: number; text: Record<string, string> } {
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', `${file} is a PNG`);
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR', `${file} starts with IHDR`);
  const text: Record<string, string> = {};
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    if (bytes.toString('latin1', at + 4, at + 8) === 'tEXt') {
      const [keyword, value] = bytes.toString('latin1', at + 8, at + 8 + length).split('\0');
      text[keyword!] = value!;
    }
    at += 12 + length;
  }
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), text };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
