import { execFile } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseTreePath } from '../../../shared/bundle/treePath';
import { parseGoMod } from '../../../shared/gomod/goModFile';
import { compareGoVersions, toolchainGoVersion } from '../../../shared/gomod/goToolchain';
import type { ProgressListener } from '../../../shared/work/progress';
import { ModFerryError } from '../errors/modferryError';
import { removeTree } from '../fsutil/removeTree';
import { proofModuleCacheFolder } from './proofModuleCache';
import { unprovidedImports, unprovidedImportsError } from './unprovidedImports';
import type { GoCheckTarget } from '../../../shared/export/exportPlan';

export type { GoCheckTarget };

/** One thing the offline go command must manage with only the staged tree. */

export class GoCheckError extends Error {
  override name = 'GoCheckError';
}

/** The go command on PATH, or undefined when this machine has none (the export then says the check was not run). */
export function findGo(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('go', ['version'], { env, timeout: 30_000 }, (error, stdout) => resolve(error ? undefined : stdout.trim()));
  });
}

/** The release `go version` names (`go version go1.19.8 linux/amd64` → 1.19.8); undefined for a development build. */
export function goReleaseOf(versionLine: string): string | undefined {
  const name = /^go version (go\S+)/.exec(versionLine)?.[1];
  return name === undefined ? undefined : toolchainGoVersion(name);
}

/** A project the go command here cannot read: its go.mod, or that of `module` in its graph, asks for a newer Go (`needs`). */
export interface UncheckedTarget {
  name: string;
  needs: string;
  /** The dependency (`path@version`) whose go.mod asks for it, when not the project's own. */
  module?: string;
}

/**
 * Proves the staged tree complete the only way that counts: the real go command, offline, with an empty
 * module cache, pointed at nothing but the tree. Projects are copied so -mod=mod never edits the user's files.
 *
 * Resolves as soon as the go command passed; the module caches and scratch folders it filled are removed
 * meanwhile, and `cleanedUp` settles once they are gone, so the caller can seal the bundle while that runs
 * and wait for it before it returns. A failed proof is thrown only once its cleanup is done.
 */
export async function checkWithGo(
  tree: string,
  targets: readonly GoCheckTarget[],
  options: { signal?: AbortSignal; onProgress?: ProgressListener; extractedBytes?: number; goRelease?: string } = {},
): Promise<{ cleanedUp: Promise<void>; unchecked: UncheckedTarget[] }> {
  const cleanups: Array<Promise<unknown>> = [];
  const unchecked: UncheckedTarget[] = [];
  try {
    const dependency = options.goRelease === undefined ? undefined : await dependencyNeedingNewerGo(tree, options.goRelease);
    let done = 0;
    for (const target of targets) {
      const needs = options.goRelease === undefined ? undefined : await newerGoNeeded(target, options.goRelease);
      const skipped = needs !== undefined ? { name: target.name, needs } : dependency && { name: target.name, needs: dependency.go, module: dependency.module };
      if (skipped !== undefined) {
        unchecked.push(skipped);
        done++;
        continue;
      }
      // The count is of projects, not files: it goes in the message, where it cannot be read as files.
      const which = targets.length === 1 ? '' : ` (${done + 1} of ${targets.length})`;
      options.onProgress?.({ stage: 'prove', message: `go command: checking ${target.name}${which}`, subject: target.name });
      const scratch = await mkdtemp(path.join(os.tmpdir(), 'modferry-check-'));
      let modCache: string | undefined;
      try {
        const work = path.join(scratch, 'work');
        await prepareWorkspace(target, work);
        modCache = await proofModuleCacheFolder(options.extractedBytes ?? 0);
        const env = offlineEnv(tree, scratch, modCache);
        // Both at once: the go command locks its module cache, and neither needs the other's downloads.
        // Every package the project and its tests import, from every module, is loaded by `go list -deps
        // -test`: the module loading `go build` and `go test` do, which finds each package in the module
        // that provides it, reads embedded files' patterns and, with -mod=mod, adds missing requirements
        // to go.mod as they do. Compiling reads nothing further from any module, so it would prove no more
        // about the bundle and only cost a compile of every dependency on a machine that has not built them.
        const goMod = path.join(work, 'go.mod');
        const asGiven = target.projectDir ? await readFile(goMod, 'utf8') : undefined;
        const runs = [runGo(['mod', 'download', 'all'], work, env, target.name, options.signal)];
        if (target.projectDir) runs.push(runGo(['list', '-deps', '-test', './...'], work, env, target.name, options.signal));
        // A project that is not tidy is told so, whichever run failed first.
        const failures = (await Promise.allSettled(runs)).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        const failed = failures.find((r) => r.reason instanceof ModFerryError) ?? failures[0];
        if (failed) throw failed.reason;
        if (asGiven !== undefined) await proveRewrittenGoMod(asGiven, await readFile(goMod, 'utf8'), work, env, target.name, options.signal);
      } finally {
        const cache = modCache;
        const cleanup = Promise.all([removeTree(scratch), cache === undefined ? undefined : removeModuleCache(cache, offlineEnv(tree, scratch, cache))]);
        // Reported through cleanedUp, or after the failure that stopped the proof.
        cleanup.catch(() => undefined);
        cleanups.push(cleanup);
      }
      done++;
    }
  } catch (error) {
    await Promise.allSettled(cleanups);
    throw error;
  }
  if (unchecked.length < targets.length) options.onProgress?.({ stage: 'prove', message: unchecked.length === 0 ? 'go command: every project resolves offline' : 'go command: every project it can read resolves offline' });
  return { cleanedUp: Promise.all(cleanups).then(() => undefined), unchecked };
}

/**
 * The Go a target's go.mod asks for when the go command here is older: with GOTOOLCHAIN=local a go
 * command from 1.21 on refuses such a go.mod, and an older one cannot even parse a `go 1.21.0` or
 * `toolchain` line. Either way it proves nothing about the bundle, so the target is left unchecked.
 */
async function newerGoNeeded(target: GoCheckTarget, goRelease: string): Promise<string | undefined> {
  const file = target.projectDir !== undefined ? path.join(target.projectDir, 'go.mod') : target.goModFile;
  if (file === undefined) return undefined;
  const goMod = parseGoMod(await readFile(file, 'utf8'), file);
  if (goMod.go !== undefined && compareGoVersions(goMod.go.version, goRelease) > 0) return goMod.go.version;
  if (goMod.toolchain !== undefined && compareGoVersions(goRelease, FIRST_TOOLCHAIN_AWARE) < 0) return FIRST_TOOLCHAIN_AWARE;
  return undefined;
}

/** The first Go whose go command reads the `toolchain` directive, and refuses a module graph asking for a newer Go. */
const FIRST_TOOLCHAIN_AWARE = '1.21';

/**
 * The module of the staged graph whose go.mod asks for the newest Go above the go command here, when
 * that go command is 1.21 or later: under GOTOOLCHAIN=local it refuses the whole graph then. Older go
 * commands read such go lines in dependencies and enforce none.
 */
async function dependencyNeedingNewerGo(tree: string, goRelease: string): Promise<{ module: string; go: string } | undefined> {
  if (compareGoVersions(goRelease, FIRST_TOOLCHAIN_AWARE) < 0) return undefined;
  let newest: { module: string; go: string } | undefined;
  for (const entry of await readdir(tree, { recursive: true })) {
    const relative = entry.split(path.sep).join('/');
    if (!relative.endsWith('.mod') || !relative.includes('/@v/')) continue;
    const where = parseTreePath(relative);
    if (where.kind !== 'mod') continue;
    const go = parseGoMod(await readFile(path.join(tree, entry), 'utf8'), relative, { lax: true }).go?.version;
    if (go !== undefined && compareGoVersions(go, goRelease) > 0 && (newest === undefined || compareGoVersions(go, newest.go) > 0)) {
      newest = { module: `${where.modulePath}@${where.version ?? ''}`, go };
    }
  }
  return newest;
}

async function prepareWorkspace(target: GoCheckTarget, work: string): Promise<void> {
  if (target.projectDir) {
    await cp(target.projectDir, work, {
      recursive: true,
      filter: (source) => !['.git', 'node_modules', 'vendor'].includes(path.basename(source)),
    });
    return;
  }
  await mkdir(work, { recursive: true });
  if (target.goModFile) {
    await copyFile(target.goModFile, path.join(work, 'go.mod'));
    await copyFile(path.join(path.dirname(target.goModFile), 'go.sum'), path.join(work, 'go.sum')).catch(() => undefined);
    return;
  }
  const requires = (target.modules ?? []).map((m) => `\t${m.path} ${m.version}`).join('\n');
  await writeFile(path.join(work, 'go.mod'), `module modferry.check/scratch\n\ngo 1.17\n\nrequire (\n${requires}\n)\n`);
}

function offlineEnv(tree: string, scratch: string, modCache: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GOPROXY: pathToFileURL(tree).href,
    GOFLAGS: '-mod=mod',
    GOMODCACHE: modCache,
    GOPATH: path.join(scratch, 'gopath'),
    GONOSUMDB: '*',
    GONOSUMCHECK: '1',
    GOSUMDB: 'off',
    GOPRIVATE: '',
    GONOPROXY: '',
    GOTOOLCHAIN: 'local',
    GOWORK: 'off',
    GOENV: 'off',
  };
}

/**
 * The go command removes the module cache it filled, read-only folders and all, faster than this
 * process walks it, and the export waits for it; whatever it leaves is removed here.
 */
async function removeModuleCache(modCache: string, env: NodeJS.ProcessEnv): Promise<void> {
  await new Promise<void>((resolve) => {
    execFile('go', ['clean', '-modcache'], { cwd: path.dirname(modCache), env, timeout: 10 * 60_000 }, () => resolve());
  });
  await removeTree(modCache);
}

/**
 * A go.mod that lacks requirements of the packages its project imports is rewritten by the first
 * offline `go build` or `go test` (-mod=mod adds them as indirect), and the modules it then lists bring
 * their own requirements into the pruned graph: `go mod download all` after that build needs more than
 * the go.mod as given did. The build just run in the copy made that rewrite, so the copy is proven again
 * as the developer's go.mod will be.
 */
async function proveRewrittenGoMod(asGiven: string, rewritten: string, work: string, env: NodeJS.ProcessEnv, name: string, signal?: AbortSignal): Promise<void> {
  if (rewritten === asGiven) return;
  try {
    await runGo(['mod', 'download', 'all'], work, env, name, signal);
  } catch (error) {
    if (!(error instanceof GoCheckError)) throw error;
    const given = new Set(requirementLines(asGiven, name));
    const added = requirementLines(rewritten, name).filter((line) => !given.has(line));
    throw new ModFerryError(
      'go-check',
      `not tidy: building the project offline (GOFLAGS=-mod=mod), the go command adds\n  ${added.join('\n  ')}\n` +
        `and then needs what the bundle does not carry. Run 'go mod tidy' in the project, here where the upstream is reachable, and export again.\n` +
        error.message.slice(error.message.indexOf('\n') + 1),
      { file: name },
      { problem: 'go-mod-not-tidy' },
    );
  }
}

function requirementLines(goMod: string, name: string): string[] {
  return parseGoMod(goMod, `${name}/go.mod`).require.map((r) => `${r.path} ${r.version}${r.indirect ? ' // indirect' : ''}`);
}

function runGo(args: string[], cwd: string, env: NodeJS.ProcessEnv, name: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('go', args, { cwd, env, signal, timeout: 30 * 60_000, maxBuffer: 16 << 20 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      if (signal?.aborted) return reject(signal.reason);
      const unprovided = args[0] === 'list' ? unprovidedImports(stderr, cwd, env.GOMODCACHE ?? '') : [];
      if (unprovided.length > 0) return reject(unprovidedImportsError(name, unprovided));
      const detail = stderr.trim().split('\n').filter(Boolean).slice(-8).join('\n  ');
      reject(new GoCheckError(`${name}: the offline go command failed on the bundle (go ${args.join(' ')}):\n  ${detail}`));
    });
  });
}
