import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { removeTree } from '../../electron/core/fsutil/removeTree';

let goVersion: string | null | undefined;

/** The installed go command's version line, or null when there is none. */
export function installedGo(): string | null {
  if (goVersion === undefined) {
    try {
      goVersion = execFileSync('go', ['version'], { encoding: 'utf8' }).trim();
    } catch {
      goVersion = null;
    }
  }
  return goVersion;
}

/**
 * Tests that need the real go command skip with a visible reason on a machine without it,
 * and fail instead when MODFERRY_REQUIRE_GO=1 (CI), so a missing toolchain never passes quietly.
 */
export function requireGo(t: TestContext): boolean {
  if (installedGo()) return true;
  if (process.env.MODFERRY_REQUIRE_GO === '1') {
    throw new Error('the go command is not installed but MODFERRY_REQUIRE_GO=1 (apt-get install golang-go)');
  }
  t.skip('the go command is not installed (apt-get install golang-go); set MODFERRY_REQUIRE_GO=1 to make this fail');
  return false;
}

/**
 * The environment of an offline go command: one proxy, no checksum database, an empty module cache
 * of its own (what proves completeness) and the shared build cache (so builds don't recompile the world).
 */
export function offlineGoEnv(goproxy: string, modCache: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? os.homedir(),
    GOCACHE: process.env.GOCACHE ?? path.join(os.homedir(), '.cache', 'go-build'),
    GOPATH: path.join(modCache, '..', 'gopath'),
    GOMODCACHE: modCache,
    GOPROXY: goproxy,
    GOFLAGS: '-mod=mod',
    GONOSUMDB: '*',
    GONOSUMCHECK: '1',
    GOSUMDB: 'off',
    GOTOOLCHAIN: 'local',
    GOWORK: 'off',
    GOENV: 'off',
    CGO_ENABLED: '0',
    ...extra,
  };
}

export interface GoRun {
  stdout: string;
  stderr: string;
}

export function runGo(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<GoRun> {
  return new Promise((resolve, reject) => {
    execFile('go', args, { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 300_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`go ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else resolve({ stdout, stderr });
      });
  });
}

/** A scratch folder with an empty module cache inside; removal copes with the cache's read-only files. */
export async function scratchGoWorkspace(label: string): Promise<{ dir: string; modCache: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `modferry-${label}-`));
  return {
    dir,
    modCache: path.join(dir, 'modcache'),
    cleanup: () => removeTree(dir),
  };
}

/** One report of `go mod download -json`. */
export interface GoDownload {
  Path: string;
  Version: string;
  Sum?: string;
  GoModSum?: string;
  Error?: string;
}

/** Runs `go mod download -json` and returns its reports, also when some modules failed. */
export function goModDownload(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<GoDownload[]> {
  return new Promise((resolve, reject) => {
    execFile('go', ['mod', 'download', '-json', ...args], { cwd, env, timeout: 120_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const reports = parseJsonStream<GoDownload>(stdout);
      if (reports.length === 0) reject(new Error(`go mod download printed nothing: ${error?.message ?? ''}\n${stderr}`));
      else resolve(reports);
    });
  });
}

/** `go mod download -json` prints one JSON object after another, not an array. */
export function parseJsonStream<T>(text: string): T[] {
  const values: T[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) values.push(JSON.parse(text.slice(start, i + 1)) as T);
  }
  return values;
}
