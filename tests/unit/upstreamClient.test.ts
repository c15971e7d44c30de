import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { GoproxyError } from '../../shared/goproxy/proxyList';
import {
  ModuleNotFoundError,
  UpstreamError,
  createUpstreamClient,
  type UpstreamClient,
  type UpstreamClientOptions,
} from '../../electron/core/upstream/upstreamClient';
import { publishFixtureModule, startFixtureUpstream, type FixtureFaults, type FixtureUpstream } from '../support/fixtureUpstream';

const TOML = 'github.com/BurntSushi/toml';
const TOML_ZIP = '/github.com/!burnt!sushi/toml/@v/v1.2.0.zip';
const TOML_ZIP_URL_PATH = '/github.com/%21burnt%21sushi/toml/@v/v1.2.0.zip';
const PSEUDO = 'v0.0.0-20240102030405-abcdefabcdef';

let work: string;
let tree: string;
let emptyTree: string;
const cleanups: Array<() => Promise<void> | void> = [];

beforeEach(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'modferry-upstream-'));
  tree = path.join(work, 'tree');
  emptyTree = path.join(work, 'empty');
  await mkdir(emptyTree, { recursive: true });
  await publishFixtureModule(tree, TOML, [
    { version: 'v1.1.0', files: { 'toml.go': 'package toml\n' } },
    { version: 'v1.2.0', files: { 'toml.go': 'package toml\n\nconst Version = "1.2.0"\n' }, time: '2024-05-06T07:08:09Z' },
  ]);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await rm(work, { recursive: true, force: true });
});

async function serve(dir: string, faults?: FixtureFaults): Promise<FixtureUpstream> {
  const upstream = await startFixtureUpstream(dir, faults);
  cleanups.push(() => upstream.close());
  return upstream;
}

function client(goproxy: string, options: Partial<UpstreamClientOptions> = {}): UpstreamClient {
  const created = createUpstreamClient({
    goproxy,
    cacheDir: path.join(work, 'cache'),
    retryBaseDelayMs: 5,
    timeoutMs: 1000,
    netrcFile: path.join(work, 'no-netrc'),
    ...options,
  });
  cleanups.push(() => created.close());
  return created;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function treeFile(urlPath: string): Promise<Buffer> {
  return readFile(path.join(tree, ...urlPath.split('/').filter((s) => s !== '')));
}

function count(upstream: FixtureUpstream, urlPath: string): number {
  return upstream.requests.filter((r) => r === urlPath).length;
}

async function tempFilesLeft(): Promise<string[]> {
  return readdir(path.join(work, 'cache', 'tmp')).catch(() => []);
}

describe('upstream client: downloads and the cache', () => {
  test('fetches .zip, .mod and .info into the cache, asking with the case-escaped path', async () => {
    const upstream = await serve(tree);
    let bytes = 0;
    const c = client(upstream.url, { onBytes: (n) => (bytes += n) });
    const zip = await c.fetch(TOML, 'v1.2.0', 'zip');
    const expected = await treeFile(TOML_ZIP);
    assert.deepEqual(await readFile(zip.file), expected);
    assert.equal(zip.sha256, sha256(expected));
    assert.equal(zip.size, expected.length);
    assert.equal(zip.fromCache, false);
    assert.equal(bytes, expected.length);
    assert.equal(zip.file, path.join(work, 'cache', 'blobs', 'sha256', zip.sha256));

    const mod = await c.fetch(TOML, 'v1.2.0', 'mod');
    assert.equal(await readFile(mod.file, 'utf8'), `module ${TOML}\n\ngo 1.19\n`);
    assert.deepEqual(await c.info(TOML, 'v1.2.0'), { Version: 'v1.2.0', Time: '2024-05-06T07:08:09Z' });
    assert.deepEqual(upstream.requests, [TOML_ZIP, '/github.com/!burnt!sushi/toml/@v/v1.2.0.mod', '/github.com/!burnt!sushi/toml/@v/v1.2.0.info']);
    assert.deepEqual(await tempFilesLeft(), []);
  });

  test('a second fetch is a verified cache hit with no request, also from a new client', async () => {
    const upstream = await serve(tree);
    let bytes = 0;
    const first = await client(upstream.url).fetch(TOML, 'v1.2.0', 'zip');
    const again = await client(upstream.url, { onBytes: (n) => (bytes += n) }).fetch(TOML, 'v1.2.0', 'zip');
    assert.deepEqual(again, { ...first, fromCache: true });
    assert.equal(count(upstream, TOML_ZIP), 1);
    assert.equal(bytes, 0, 'cache hits transfer nothing');
  });

  test('a corrupt cache blob is detected, deleted and downloaded again', async () => {
    const upstream = await serve(tree);
    const c = client(upstream.url);
    const first = await c.fetch(TOML, 'v1.2.0', 'zip');
    const good = await readFile(first.file);
    const bad = Buffer.from(good);
    bad[bad.length - 1] = (bad.at(-1) ?? 0) ^ 0xff;
    await writeFile(first.file, bad);

    const again = await c.fetch(TOML, 'v1.2.0', 'zip');
    assert.equal(again.fromCache, false);
    assert.equal(again.sha256, first.sha256);
    assert.deepEqual(await readFile(again.file), good);
    assert.equal(count(upstream, TOML_ZIP), 2);
  });

  test('a cache blob that was deleted is downloaded again', async () => {
    const upstream = await serve(tree);
    const c = client(upstream.url);
    const first = await c.fetch(TOML, 'v1.2.0', 'mod');
    await rm(first.file);
    assert.equal((await c.fetch(TOML, 'v1.2.0', 'mod')).fromCache, false);
    assert.equal(upstream.requests.length, 2);
  });

  test('simultaneous fetches of one file share one download', async () => {
    const upstream = await serve(tree, { latencyMs: 20 });
    const c = client(upstream.url);
    const results = await Promise.all([c.fetch(TOML, 'v1.2.0', 'zip'), c.fetch(TOML, 'v1.2.0', 'zip'), c.fetch(TOML, 'v1.2.0', 'zip')]);
    assert.equal(count(upstream, TOML_ZIP), 1);
    assert.equal(new Set(results.map((r) => r.file)).size, 1);
  });

  test('only exact versions and valid module paths can be fetched', async () => {
    const c = client('http://127.0.0.1:9');
    await assert.rejects(c.fetch(TOML, 'v1.2', 'zip'), /github\.com\/BurntSushi\/toml@v1\.2: a \.zip file can only be fetched for an exact version/);
    await assert.rejects(c.fetch(TOML, 'master', 'mod'), /exact version/);
    await assert.rejects(c.fetch('Example.com/x', 'v1.0.0', 'zip'), /malformed module path "Example\.com\/x"/);
  });

  test('a GOPROXY it cannot use fails when the client is created', () => {
    assert.throws(() => createUpstreamClient({ goproxy: 'direct', cacheDir: work }), GoproxyError);
    assert.throws(() => createUpstreamClient({ goproxy: 'ftp://x', cacheDir: work }), /invalid proxy URL scheme/);
  });

});

describe('upstream client: list, latest and info', () => {
  // `v1.2` is valid semver, but not canonical: it cannot name a file, so it is left out.
  test('list keeps canonical tagged versions, sorted, and is never cached', async () => {
    await publishFixtureModule(tree, 'example.com/m', [{ version: 'v1.0.0' }], {
      listLines: ['v1.10.0', 'v1.2.0 2024-01-01T00:00:00Z', '', 'not-a-version', 'v1.2', PSEUDO, 'v1.0.0', 'v1.0.0', 'v2.0.0+incompatible', 'v1.3.0-rc.1', '  v0.9.0  '],
    });
    const upstream = await serve(tree);
    const c = client(upstream.url);
    const expected = ['v0.9.0', 'v1.0.0', 'v1.2.0', 'v1.3.0-rc.1', 'v1.10.0', 'v2.0.0+incompatible'];
    assert.deepEqual(await c.list('example.com/m'), expected);
    assert.deepEqual(await c.list('example.com/m'), expected);
    assert.equal(count(upstream, '/example.com/m/@v/list'), 2);
  });

  test('list is empty when the module exists with no tags', async () => {
    await publishFixtureModule(tree, 'example.com/untagged', [{ version: PSEUDO }]);
    await publishFixtureModule(tree, 'example.com/blank', [], { listLines: [] });
    const c = client((await serve(tree)).url);
    assert.deepEqual(await c.list('example.com/untagged'), []);
    assert.deepEqual(await c.list('example.com/blank'), []);
  });

  test('list of a module no proxy has is a ModuleNotFoundError naming the module alone', async () => {
    const upstream = await serve(emptyTree);
    await assert.rejects(client(upstream.url).list('example.com/absent'), (err: Error) => {
      assert.ok(err instanceof ModuleNotFoundError);
      assert.equal(err.path, 'example.com/absent');
      assert.equal(err.version, undefined);
      assert.equal(err.message, `example.com/absent: not found at any proxy (${upstream.url}: 404 Not Found: not found: /example.com/absent/@v/list)`);
      return true;
    });
  });

  test('latest uses the @latest endpoint when the proxy has one', async () => {
    await publishFixtureModule(tree, 'example.com/m', [{ version: 'v1.0.0' }], { latest: { Version: 'v1.0.0', Time: '2024-01-02T03:04:05Z' } });
    const upstream = await serve(tree);
    assert.deepEqual(await client(upstream.url).latest('example.com/m'), { Version: 'v1.0.0', Time: '2024-01-02T03:04:05Z' });
    assert.deepEqual(upstream.requests, ['/example.com/m/@latest']);
  });

  test('latest without @latest stands in as the go command does: the newest pseudo-version of the list, never a tag', async () => {
    const older = 'v0.0.0-20230101000000-111111111111';
    await publishFixtureModule(tree, 'example.com/m', [{ version: 'v1.0.0' }, { version: 'v1.1.0' }, { version: PSEUDO, time: '2024-03-03T00:00:00Z' }, { version: older }]);
    const upstream = await serve(tree);
    const c = client(upstream.url);
    assert.deepEqual(await c.latest('example.com/m'), { Version: PSEUDO, Time: '2024-03-03T00:00:00Z' });
    assert.deepEqual(upstream.requests, ['/example.com/m/@latest', '/example.com/m/@v/list', `/example.com/m/@v/${PSEUDO}.info`]);
  });

  test('latest without @latest takes a time given on a list line, for tags too', async () => {
    await publishFixtureModule(tree, 'example.com/m', [{ version: 'v1.0.0' }, { version: 'v1.1.0' }], {
      listLines: ['v1.0.0 2024-05-01T00:00:00Z', 'v1.1.0 2023-01-01T00:00:00Z'],
    });
    assert.equal((await client((await serve(tree)).url).latest('example.com/m')).Version, 'v1.0.0');
  });

  test('latest of a module with only pseudo-versions is the newest of them', async () => {
    const older = 'v0.0.0-20230101000000-111111111111';
    await publishFixtureModule(tree, 'example.com/m', [{ version: older }, { version: PSEUDO }]);
    const c = client((await serve(tree)).url);
    assert.equal((await c.latest('example.com/m')).Version, PSEUDO);
  });

  test('latest with neither @latest nor versions is not found, with both answers', async () => {
    await publishFixtureModule(tree, 'example.com/blank', [], { listLines: [] });
    const upstream = await serve(tree);
    await assert.rejects(client(upstream.url).latest('example.com/blank'), (err: Error) => {
      assert.ok(err instanceof ModuleNotFoundError);
      assert.equal(err.version, 'latest');
      assert.match(err.message, /^example\.com\/blank@latest: not found at any proxy \(http:\/\/127\.0\.0\.1:\d+: @latest: 404 Not Found: .*; @v\/list: no pseudo-versions\)$/);
      return true;
    });
  });

  test('info of an exact version is cached; a query is asked afresh every time', async () => {
    await publishFixtureModule(tree, 'example.com/m', [{ version: PSEUDO }]);
    await writeFile(path.join(tree, 'example.com', 'm', '@v', 'master.info'), JSON.stringify({ Version: PSEUDO, Time: '2024-01-02T03:04:05Z' }));
    const upstream = await serve(tree);
    const c = client(upstream.url);
    await c.info(TOML, 'v1.2.0');
    await c.info(TOML, 'v1.2.0');
    assert.equal(count(upstream, '/github.com/!burnt!sushi/toml/@v/v1.2.0.info'), 1);
    assert.equal((await c.info('example.com/m', 'master')).Version, PSEUDO);
    assert.equal((await c.info('example.com/m', 'master')).Version, PSEUDO);
    assert.equal(count(upstream, '/example.com/m/@v/master.info'), 2);
  });

  test('an .info that is not JSON is refused at once and not cached', async () => {
    const upstream = await serve(tree, { wrongBodyFor: (p) => p.endsWith('.info') });
    const c = client(upstream.url);
    await assert.rejects(c.info(TOML, 'v1.2.0'), (err: Error) => {
      assert.ok(err instanceof UpstreamError);
      assert.equal(err.message, `${TOML}@v1.2.0: ${upstream.url}/github.com/%21burnt%21sushi/toml/@v/v1.2.0.info: invalid response from proxy: not JSON`);
      return true;
    });
    assert.equal(upstream.requests.length, 1, 'a wrong body is not retried');
    assert.deepEqual(await tempFilesLeft(), []);
    assert.deepEqual(await readdir(path.join(work, 'cache', 'index')).catch(() => []), [], 'nothing was cached');
  });

  test('an .info for another version than the one asked for is refused', async () => {
    await writeFile(path.join(tree, 'github.com', '!burnt!sushi', 'toml', '@v', 'v1.2.0.info'), JSON.stringify({ Version: 'v1.2.1' }));
    const c = client((await serve(tree)).url);
    await assert.rejects(c.fetch(TOML, 'v1.2.0', 'info'), /proxy returned info for version v1\.2\.1 instead of requested version/);
  });
});

describe('upstream client: retries', () => {
  test('500s are retried until the file comes', async () => {
    const upstream = await serve(tree, { failFirst: 2 });
    const zip = await client(upstream.url, { retries: 3 }).fetch(TOML, 'v1.2.0', 'zip');
    assert.deepEqual(await readFile(zip.file), await treeFile(TOML_ZIP));
    assert.equal(count(upstream, TOML_ZIP), 3);
  });

  test('dropped connections are retried', async () => {
    const upstream = await serve(tree, { dropFirst: 2 });
    const zip = await client(upstream.url, { retries: 3 }).fetch(TOML, 'v1.2.0', 'zip');
    assert.deepEqual(await readFile(zip.file), await treeFile(TOML_ZIP));
    assert.equal(count(upstream, TOML_ZIP), 3);
    assert.deepEqual(await tempFilesLeft(), []);
  });

  test('bodies shorter than their Content-Length are retried', async () => {
    const upstream = await serve(tree, { truncateFirst: 2 });
    const c = client(upstream.url, { retries: 2 });
    assert.deepEqual(await readFile((await c.fetch(TOML, 'v1.2.0', 'zip')).file), await treeFile(TOML_ZIP));
    assert.deepEqual(await c.list(TOML), ['v1.1.0', 'v1.2.0']);
    assert.equal(count(upstream, TOML_ZIP), 3);
    assert.equal(count(upstream, '/github.com/!burnt!sushi/toml/@v/list'), 3);
  });

  test('a persistent 500 ends in an UpstreamError naming the module, URL and cause', async () => {
    const upstream = await serve(tree, { failFirst: 100 });
    await assert.rejects(client(upstream.url, { retries: 2 }).fetch(TOML, 'v1.2.0', 'zip'), (err: Error) => {
      assert.ok(err instanceof UpstreamError);
      assert.equal(err.path, TOML);
      assert.equal(err.version, 'v1.2.0');
      assert.equal(err.url, `${upstream.url}${TOML_ZIP_URL_PATH}`);
      assert.equal(err.attempts, 3);
      assert.equal(
        err.message,
        `${TOML}@v1.2.0: ${upstream.url}${TOML_ZIP_URL_PATH}: 500 Internal Server Error: injected failure (gave up after 3 attempts)`,
      );
      return true;
    });
    assert.equal(count(upstream, TOML_ZIP), 3);
    assert.deepEqual(await tempFilesLeft(), []);
  });

  test('a 4xx other than 404 and 410 is not retried', async () => {
    const upstream = await serve(tree, { status: () => 403 });
    await assert.rejects(client(upstream.url).fetch(TOML, 'v1.2.0', 'zip'), /: 403 Forbidden: injected status 403 \(credentials come from the "machine 127\.0\.0\.1" entry/);
    assert.equal(upstream.requests.length, 1);
  });
});

describe('upstream client: walking the proxy list', () => {
  test('a 404 at the first proxy moves on to the next', async () => {
    const first = await serve(emptyTree);
    const second = await serve(tree);
    const zip = await client(`${first.url},${second.url}`).fetch(TOML, 'v1.2.0', 'zip');
    assert.deepEqual(await readFile(zip.file), await treeFile(TOML_ZIP));
    assert.deepEqual(first.requests, [TOML_ZIP]);
    assert.deepEqual(second.requests, [TOML_ZIP]);
  });

  test('a 410 moves on like a 404', async () => {
    const first = await serve(tree, { status: () => 410 });
    const second = await serve(tree);
    await client(`${first.url},${second.url}`).fetch(TOML, 'v1.2.0', 'mod');
    assert.equal(first.requests.length, 1);
    assert.equal(second.requests.length, 1);
  });

  test('not found everywhere: ModuleNotFoundError with every proxy answer', async () => {
    const first = await serve(emptyTree);
    const second = await serve(tree, { status: () => 410 });
    await assert.rejects(client(`${first.url}|${second.url}`).fetch(TOML, 'v1.2.0', 'zip'), (err: Error) => {
      assert.ok(err instanceof ModuleNotFoundError);
      assert.equal(err.path, TOML);
      assert.equal(err.version, 'v1.2.0');
      assert.equal(
        err.message,
        `${TOML}@v1.2.0: not found at any proxy (${first.url}: 404 Not Found: not found: ${TOML_ZIP}; ${second.url}: 410 Gone: injected status 410)`,
      );
      return true;
    });
  });

  test('a 500 at a proxy followed by "," ends the walk', async () => {
    const first = await serve(tree, { failFirst: 100 });
    const second = await serve(tree);
    await assert.rejects(client(`${first.url},${second.url}`, { retries: 1 }).fetch(TOML, 'v1.2.0', 'zip'), (err: Error) => {
      assert.ok(err instanceof UpstreamError);
      assert.equal(err.url, `${first.url}${TOML_ZIP_URL_PATH}`);
      return true;
    });
    assert.deepEqual(second.requests, []);
  });

  test('a 500 at a proxy followed by "|" moves on to the next', async () => {
    const first = await serve(tree, { failFirst: 100 });
    const second = await serve(tree);
    const zip = await client(`${first.url}|${second.url}`, { retries: 1 }).fetch(TOML, 'v1.2.0', 'zip');
    assert.equal(zip.fromCache, false);
    assert.equal(count(first, TOML_ZIP), 2);
    assert.deepEqual(second.requests, [TOML_ZIP]);
  });

  test('after "|", a real failure outranks a later not-found in the report', async () => {
    const first = await serve(tree, { failFirst: 100 });
    const second = await serve(emptyTree);
    await assert.rejects(client(`${first.url}|${second.url}`, { retries: 0 }).fetch(TOML, 'v1.2.0', 'zip'), UpstreamError);
  });

  test('off: every lookup fails as disabled, with no request', async () => {
    const c = client('off');
    await assert.rejects(c.fetch(TOML, 'v1.2.0', 'zip'), (err: Error) => {
      assert.ok(err instanceof ModuleNotFoundError);
      assert.equal(err.message, `${TOML}@v1.2.0: module lookup disabled by GOPROXY=off`);
      return true;
    });
    await assert.rejects(c.list(TOML), { message: `${TOML}: module lookup disabled by GOPROXY=off` });
  });

  test('a proxy then off: the proxy is asked, and its 404 then off are both reported', async () => {
    const first = await serve(emptyTree);
    await assert.rejects(
      client(`${first.url},off`).fetch(TOML, 'v1.2.0', 'mod'),
      new RegExp(`not found at any proxy \\(${first.url.replace(/\./g, '\\.')}: 404 Not Found: .*; module lookup disabled by GOPROXY=off\\)$`),
    );
    const second = await serve(tree);
    await assert.rejects(client(`${first.url},off,${second.url}`).fetch(TOML, 'v1.2.0', 'mod'), ModuleNotFoundError);
    assert.deepEqual(second.requests, [], 'nothing after off is asked');
  });

  test('a trailing direct is explained when a module is missing, and costs no request', async () => {
    const first = await serve(emptyTree);
    await assert.rejects(client(`${first.url},direct`).fetch(TOML, 'v1.2.0', 'mod'), (err: Error) => {
      assert.ok(err instanceof ModuleNotFoundError);
      assert.equal(
        err.message,
        `${TOML}@v1.2.0: not found at any proxy (${first.url}: 404 Not Found: not found: /github.com/!burnt!sushi/toml/@v/v1.2.0.mod; ` +
          `GOPROXY ends in direct, which an export cannot use: modules not on ${first.url} cannot be fetched from version control)`,
      );
      return true;
    });
    assert.equal(first.requests.length, 1);
  });

  test('a file:// proxy reads the tree from disk and passes misses on', async () => {
    const fromDisk = await client(`file://${tree}`).fetch(TOML, 'v1.2.0', 'zip');
    assert.deepEqual(await readFile(fromDisk.file), await treeFile(TOML_ZIP));
    assert.deepEqual(await client(`file://${tree}`).list(TOML), ['v1.1.0', 'v1.2.0']);

    const second = await serve(tree);
    const mod = await client(`file://${emptyTree},${second.url}`).fetch(TOML, 'v1.1.0', 'mod');
    assert.equal(mod.fromCache, false);
    assert.deepEqual(second.requests, ['/github.com/!burnt!sushi/toml/@v/v1.1.0.mod']);
    await assert.rejects(client(`file://${emptyTree}`, { cacheDir: path.join(work, 'other-cache') }).fetch(TOML, 'v1.1.0', 'mod'), {
      message: `${TOML}@v1.1.0: not found at any proxy (file://${emptyTree}: 404 Not Found)`,
    });
  });

  test('redirects are followed', async () => {
    const target = await serve(tree);
    const redirector = http.createServer((req, res) => {
      res.writeHead(302, { location: `${target.url}${req.url ?? '/'}` });
      res.end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => redirector.close(() => resolve())));
    const { port } = redirector.address() as AddressInfo;
    const zip = await client(`http://127.0.0.1:${port}`).fetch(TOML, 'v1.2.0', 'zip');
    assert.deepEqual(await readFile(zip.file), await treeFile(TOML_ZIP));
    assert.deepEqual(target.requests, [TOML_ZIP]);
  });
});

describe('upstream client: credentials', () => {
  const auth = { login: 'ferry', password: 's3cret' };

  test('.netrc credentials for the proxy host are sent as basic auth', async () => {
    const upstream = await serve(tree, { requireAuth: auth });
    const netrcFile = path.join(work, 'netrc');
    await writeFile(netrcFile, `machine example.com login x password y\nmachine 127.0.0.1 login ${auth.login} password ${auth.password}\n`);
    const zip = await client(upstream.url, { netrcFile }).fetch(TOML, 'v1.2.0', 'zip');
    assert.equal(zip.fromCache, false);
  });

  test('without matching credentials the 401 is reported at once, pointing at the .netrc entry', async () => {
    const upstream = await serve(tree, { requireAuth: auth });
    const netrcFile = path.join(work, 'netrc');
    await writeFile(netrcFile, `machine 127.0.0.1 login ${auth.login} password wrong\n`);
    await assert.rejects(client(upstream.url, { netrcFile }).fetch(TOML, 'v1.2.0', 'zip'), (err: Error) => {
      assert.ok(err instanceof UpstreamError);
      assert.match(err.message, /401 Unauthorized: unauthorized: credentials required \(credentials come from the "machine 127\.0\.0\.1" entry of .*netrc/);
      return true;
    });
    assert.equal(upstream.requests.length, 1);
  });

  test('credentials written in the proxy URL are used', async () => {
    const upstream = await serve(tree, { requireAuth: auth });
    const withUser = upstream.url.replace('http://', `http://${auth.login}:${auth.password}@`);
    assert.equal((await client(withUser).fetch(TOML, 'v1.2.0', 'mod')).fromCache, false);
  });
});

describe('upstream client: limits, timeouts and cancellation', () => {
  test('no more requests in flight than the concurrency allows', async () => {
    const versions = Array.from({ length: 12 }, (_, i) => ({ version: `v1.0.${i}` }));
    await publishFixtureModule(tree, 'example.com/many', versions);
    const upstream = await serve(tree, { latencyMs: 30 });
    const c = client(upstream.url, { concurrency: 3 });
    await Promise.all(versions.map(({ version }) => c.fetch('example.com/many', version, 'zip')));
    assert.equal(upstream.requests.length, 12);
    assert.equal(upstream.maxInFlight, 3);
  });

  test('a server that never answers times out, is retried, then reported', async () => {
    const upstream = await serve(tree, { hangFor: () => true });
    const started = Date.now();
    await assert.rejects(client(upstream.url, { timeoutMs: 100, retries: 1 }).fetch(TOML, 'v1.2.0', 'zip'), (err: Error) => {
      assert.ok(err instanceof UpstreamError);
      assert.match(err.message, /: no response within 100 ms \(gave up after 2 attempts\)$/);
      return true;
    });
    assert.ok(Date.now() - started < 1500);
    assert.equal(upstream.requests.length, 2);
  });

  test('a body that stalls half-way times out and leaves no temp file', async () => {
    const upstream = await serve(tree, { stallFor: (p) => p.endsWith('.zip') });
    const zip = await treeFile(TOML_ZIP);
    await assert.rejects(
      client(upstream.url, { timeoutMs: 100, retries: 0 }).fetch(TOML, 'v1.2.0', 'zip'),
      new RegExp(`: no data for 100 ms \\(after ${Math.floor(zip.length / 2)} of ${zip.length} bytes\\)$`),
    );
    assert.deepEqual(await tempFilesLeft(), []);
  });

  test('aborting mid-body stops the download, deletes the partial file and caches nothing', async () => {
    const upstream = await serve(tree, { stallFor: (p) => p.endsWith('.zip') });
    const controller = new AbortController();
    const c = client(upstream.url, { signal: controller.signal, onBytes: () => controller.abort(new Error('cancelled by the user')) });
    const started = Date.now();
    await assert.rejects(c.fetch(TOML, 'v1.2.0', 'zip'), /cancelled by the user/);
    assert.ok(Date.now() - started < 1000);
    assert.deepEqual(await tempFilesLeft(), []);
    assert.equal(upstream.requests.length, 1, 'an abort is not retried');
    await assert.rejects(c.fetch(TOML, 'v1.2.0', 'mod'), /cancelled by the user/, 'an aborted client starts nothing new');
    assert.equal(upstream.requests.length, 1);
    assert.equal((await client(upstream.url).fetch(TOML, 'v1.2.0', 'mod')).fromCache, false, 'the cache is intact for the next run');
  });

  test('aborting while waiting for a response or a retry ends at once', async () => {
    const hanging = await serve(tree, { hangFor: () => true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop now')), 50);
    await assert.rejects(client(hanging.url, { signal: controller.signal, timeoutMs: 5000 }).list(TOML), /stop now/);

    const failing = await serve(tree, { failFirst: 100 });
    const second = new AbortController();
    setTimeout(() => second.abort(new Error('stop retrying')), 50);
    const started = Date.now();
    await assert.rejects(
      client(failing.url, { signal: second.signal, retries: 5, retryBaseDelayMs: 5000 }).fetch(TOML, 'v1.2.0', 'zip'),
      /stop retrying/,
    );
    assert.ok(Date.now() - started < 1000);
  });
});
