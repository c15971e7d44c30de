/**
 * A module proxy for tests: serves a GOPROXY-layout directory (`<escaped path>/@v/list`,
 * `<escaped path>/@v/<version>.{info,mod,zip}`, `<escaped path>/@latest`) over HTTP on 127.0.0.1,
 * with faults injected on request.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { hashGoModBytes, hashModuleZip } from '../../electron/core/modzip/hashModuleZip';
import { escapePath, escapeVersion } from '../../shared/gomod/modulePath';

export interface FixtureFaults {
  /** Wait this long before answering anything. */
  latencyMs?: number;
  /**
   * The first requests for each distinct URL path fail, in this order: failFirst answer 500, the next
   * dropFirst send half the body and destroy the socket, the next truncateFirst send half the body
   * under the full Content-Length and close the connection cleanly. Later requests succeed.
   */
  failFirst?: number;
  dropFirst?: number;
  truncateFirst?: number;
  /** Serve other bytes than the file's (with a Content-Length that matches them). */
  wrongBodyFor?: (urlPath: string) => boolean;
  /** Answer with this status (and a one-line text body) instead of the file. */
  status?: (urlPath: string) => number | undefined;
  /** Accept the request and never answer. */
  hangFor?: (urlPath: string) => boolean;
  /** Send the headers and half the body, then nothing more. */
  stallFor?: (urlPath: string) => boolean;
  /** Answer 401 unless the request carries these basic-auth credentials. */
  requireAuth?: { login: string; password: string };
}

export interface FixtureUpstream {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  /** Decoded URL path of every request received, in order, e.g. `/github.com/!burnt!sushi/toml/@v/list`. */
  requests: string[];
  /** The most requests that were being answered at one time. */
  readonly maxInFlight: number;
  close(): Promise<void>;
}

const WRONG_BODY = Buffer.from('these are not the bytes that were asked for\n');

export async function startFixtureUpstream(treeDir: string, faults: FixtureFaults = {}): Promise<FixtureUpstream> {
  const requests: string[] = [];
  const seen = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let maxInFlight = 0;

  const server = http.createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once('close', () => inFlight--);
    let urlPath: string;
    try {
      urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://fixture').pathname);
    } catch {
      urlPath = req.url ?? '/';
    }
    requests.push(urlPath);
    const nth = seen.get(urlPath) ?? 0;
    seen.set(urlPath, nth + 1);

    const respond = (): void => {
      answer(treeDir, faults, urlPath, nth, req, res).catch((err: unknown) => {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    };
    if (faults.latencyMs !== undefined && faults.latencyMs > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond();
      }, faults.latencyMs);
      timers.add(timer);
    } else {
      respond();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function answer(
  treeDir: string,
  faults: FixtureFaults,
  urlPath: string,
  nth: number,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  if (faults.requireAuth && !hasCredentials(req, faults.requireAuth)) {
    return sendText(res, 401, 'unauthorized: credentials required', { 'www-authenticate': 'Basic realm="fixture"' });
  }
  const forced = faults.status?.(urlPath);
  if (forced !== undefined) return sendText(res, forced, `injected status ${forced}`);
  if (faults.hangFor?.(urlPath)) return;

  const failFirst = faults.failFirst ?? 0;
  const dropUntil = failFirst + (faults.dropFirst ?? 0);
  const truncateUntil = dropUntil + (faults.truncateFirst ?? 0);
  if (nth < failFirst) return sendText(res, 500, 'injected failure');

  const body = await readTreeFile(treeDir, urlPath);
  if (body === undefined) return sendText(res, 404, `not found: ${urlPath}`);
  const served = faults.wrongBodyFor?.(urlPath) ? WRONG_BODY : body;
  res.writeHead(200, { 'content-type': contentTypeOf(urlPath), 'content-length': served.length });
  const half = served.subarray(0, Math.floor(served.length / 2));

  if (nth < dropUntil) {
    res.write(half, () => res.socket?.destroy());
  } else if (nth < truncateUntil) {
    res.write(half, () => res.socket?.end());
  } else if (faults.stallFor?.(urlPath)) {
    res.write(half);
  } else {
    res.end(served);
  }
}

function sendText(res: http.ServerResponse, status: number, line: string, headers: http.OutgoingHttpHeaders = {}): void {
  const body = Buffer.from(`${line}\n`);
  res.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length });
  res.end(body);
}

function hasCredentials(req: http.IncomingMessage, wanted: { login: string; password: string }): boolean {
  const expected = `Basic ${Buffer.from(`${wanted.login}:${wanted.password}`).toString('base64')}`;
  return req.headers.authorization === expected;
}

/** The file under treeDir for a URL path, or undefined when there is none (or the path tries to leave the tree). */
async function readTreeFile(treeDir: string, urlPath: string): Promise<Buffer | undefined> {
  const segments = urlPath.split('/').filter((s) => s !== '');
  if (segments.length === 0 || segments.some((s) => s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) return undefined;
  const file = path.join(treeDir, ...segments);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  return readFile(file);
}

function contentTypeOf(urlPath: string): string {
  if (urlPath.endsWith('.zip')) return 'application/zip';
  if (urlPath.endsWith('.info') || urlPath.endsWith('/@latest')) return 'application/json';
  return 'text/plain; charset=utf-8';
}

/** One version to publish with publishFixtureModule. */
export interface FixtureVersion {
  version: string;
  /** Files of the module zip besides go.mod, by path inside the module. */
  files?: Record<string, string>;
  /** The .info Time; default 2024-01-02T03:04:05Z. */
  time?: string;
  /** The go.mod (served as .mod and put in the zip); default `module <path>` at go 1.19. */
  goMod?: string;
  /**
   * A version without a go.mod, as +incompatible ones are: the zip has none and the .mod is the
   * `module <path>` line the go command synthesizes.
   */
  noGoMod?: boolean;
}

/** The go.sum lines of versions publishFixtureModule wrote: the zip's h1 and the go.mod's, as a checksum database records them. */
export async function publishedGoSumLines(treeDir: string, versions: ReadonlyArray<readonly [modulePath: string, version: string]>): Promise<string[]> {
  const lines: string[] = [];
  for (const [modulePath, version] of versions) {
    const base = path.join(treeDir, escapePath(modulePath), '@v', escapeVersion(version));
    lines.push(`${modulePath} ${version} ${await hashModuleZip(`${base}.zip`)}`, `${modulePath} ${version}/go.mod ${hashGoModBytes(await readFile(`${base}.mod`))}`);
  }
  return lines;
}

/**
 * Writes a module's versions into a GOPROXY tree: `@v/list` (or the given lines), and for each
 * version `.info`, `.mod` and a `.zip` whose entries sit under `path@version/`.
 */
export async function publishFixtureModule(
  treeDir: string,
  modulePath: string,
  versions: readonly FixtureVersion[],
  options: { listLines?: readonly string[]; latest?: { Version: string; Time?: string } } = {},
): Promise<void> {
  const moduleDir = path.join(treeDir, escapePath(modulePath));
  const vDir = path.join(moduleDir, '@v');
  await mkdir(vDir, { recursive: true });
  for (const { version, files = {}, time = '2024-01-02T03:04:05Z', noGoMod = false, ...rest } of versions) {
    const base = path.join(vDir, escapeVersion(version));
    const goMod = noGoMod ? `module ${modulePath}\n` : (rest.goMod ?? `module ${modulePath}\n\ngo 1.19\n`);
    await writeFile(`${base}.info`, JSON.stringify({ Version: version, Time: time }));
    await writeFile(`${base}.mod`, goMod);
    const zip = new yazl.ZipFile();
    const mtime = new Date('2024-01-02T03:04:05Z');
    if (!noGoMod) zip.addBuffer(Buffer.from(goMod), `${modulePath}@${version}/go.mod`, { mtime });
    for (const [name, text] of Object.entries(files)) zip.addBuffer(Buffer.from(text), `${modulePath}@${version}/${name}`, { mtime });
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(`${base}.zip`));
  }
  const lines = options.listLines ?? versions.map((v) => v.version);
  await writeFile(path.join(vDir, 'list'), lines.map((l) => `${l}\n`).join(''));
  if (options.latest) await writeFile(path.join(moduleDir, '@latest'), JSON.stringify(options.latest));
}
