/**
 * A checksum database for tests, with its own key, built by golang.org/x/mod/sumdb itself
 * (tests/support/testsumdb/main.go, Debian's golang-golang-x-mod-dev in GOPATH mode): the code the
 * go command verifies with writes what our TypeScript reads, so the two are checked against each other.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const GENERATOR = path.join(__dirname, 'testsumdb', 'main.go');
const GOPATH_WITH_X_MOD = '/usr/share/gocode';

export interface TestSumdb {
  /** The database name, e.g. `sum.test`. */
  name: string;
  /** The verifier key, `<name>+<hash>+<key>`: what GOSUMDB names. */
  vkey: string;
}

/**
 * Writes the database holding the given go.sum lines (one record per module version, in order of
 * first appearance) into `dir` (the proxy's `sumdb/<name>`): supported, latest, lookup/… and every
 * hash tile. The same seed and name with a longer list make a newer tree of the same database.
 */
export function writeTestSumdb(dir: string, goSumLines: readonly string[], options: { name?: string; seed?: string } = {}): Promise<TestSumdb> {
  const name = options.name ?? 'sum.test';
  const args = ['run', GENERATOR, '-name', name, '-seed', options.seed ?? 'modferry', '-out', dir];
  return new Promise((resolve, reject) => {
    const child = execFile('go', args, { env: xmodGoEnv(), timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`testsumdb failed: ${error.message}\n${stderr}`));
      else resolve({ name, vkey: stdout.trim() });
    });
    child.stdin!.end(goSumLines.map((line) => `${line}\n`).join(''));
  });
}

/** The environment that runs a program against Debian's golang.org/x/mod in GOPATH mode. */
export function xmodGoEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? os.homedir(),
    GOCACHE: process.env.GOCACHE ?? path.join(os.homedir(), '.cache', 'go-build'),
    GO111MODULE: 'off',
    GOPATH: GOPATH_WITH_X_MOD,
    GOFLAGS: '',
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
  };
}
