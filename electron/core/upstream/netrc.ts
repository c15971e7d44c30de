/**
 * Credentials for private module proxies from a .netrc file, the only credential source the go command
 * reads (cmd/go/internal/auth, go 1.19). The file format is the one documented for GNU inetutils ftp.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface Credentials {
  login: string;
  password: string;
}

export interface NetrcMachine extends Credentials {
  machine: string;
}

export interface Netrc {
  /** Complete `machine` entries (name, login and password all given), in file order. */
  machines: NetrcMachine[];
  /** The `default` entry, if complete. Parsed for completeness; see credentialsForHost for why it is not used. */
  default?: Credentials;
}

const KEYWORDS_WITH_VALUE = new Set(['machine', 'login', 'password', 'account', 'macdef']);

/**
 * Parses .netrc text as a stream of blank-separated tokens, so an entry may span lines.
 * `account` values are skipped; a `macdef` macro body runs from the next line to the first blank
 * line and is skipped whole. Unknown words are ignored, as ftp does.
 */
export function parseNetrc(text: string): Netrc {
  const netrc: Netrc = { machines: [] };
  let current: { machine?: string; isDefault: boolean; login?: string; password?: string } | undefined;
  let pendingKeyword: string | undefined;
  let inMacro = false;

  const finish = (): void => {
    if (current?.login === undefined || current.password === undefined) return;
    const creds = { login: current.login, password: current.password };
    if (current.isDefault) netrc.default ??= creds;
    else if (current.machine !== undefined) netrc.machines.push({ machine: current.machine, ...creds });
  };

  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    if (inMacro) {
      if (line.trim() === '') inMacro = false;
      continue;
    }
    for (const token of line.split(/[ \t\f\v]+/).filter((t) => t !== '')) {
      if (pendingKeyword !== undefined) {
        const keyword = pendingKeyword;
        pendingKeyword = undefined;
        if (keyword === 'machine') {
          finish();
          current = { machine: token, isDefault: false };
        } else if (keyword === 'login' && current) {
          current.login = token;
        } else if (keyword === 'password' && current) {
          current.password = token;
        } else if (keyword === 'macdef') {
          inMacro = true;
          break;
        }
        continue;
      }
      if (token === 'default') {
        finish();
        current = { isDefault: true };
      } else if (KEYWORDS_WITH_VALUE.has(token)) {
        pendingKeyword = token;
      }
    }
  }
  finish();
  return netrc;
}

/**
 * The credentials of the first `machine` entry naming host (DNS names compare without regard to case;
 * the port plays no part, as in the go command).
 *
 * `default` is deliberately not used: the go command ignores it, and a catch-all password would be
 * sent to every proxy in the list, public ones included.
 */
export function credentialsForHost(netrc: Netrc, host: string): Credentials | undefined {
  const wanted = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const entry = netrc.machines.find((m) => m.machine.toLowerCase() === wanted);
  return entry && { login: entry.login, password: entry.password };
}

/** Where the go command looks: $NETRC, else .netrc (_netrc on Windows) in the home directory. */
export function defaultNetrcPath(env: NodeJS.ProcessEnv = process.env, home = os.homedir(), platform = process.platform): string {
  const fromEnv = env['NETRC'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return path.join(home, platform === 'win32' ? '_netrc' : '.netrc');
}

/** Reads and parses a .netrc file; a missing file means no credentials, as for the go command. */
export async function readNetrc(file: string): Promise<Netrc> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { machines: [] };
    throw new Error(`cannot read the .netrc file ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseNetrc(text);
}
