import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import Database from 'better-sqlite3';
import net from 'node:net';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { escapePath, escapeVersion, isValidModulePath } from '../../shared/gomod/modulePath';
import { writeBundle } from '../../electron/core/bundle/writeBundle';
import { startProxyServer, type RunningProxyServer } from '../../electron/core/serve/proxyHttpServer';
import { openStore, type DiskStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { makeBundleSources, makeTempDir, sha256Hex, testSigningKey, type SourceModule } from '../support/bundleSources';

const TOML = 'github.com/BurntSushi/toml';
const TOML_ESCAPED = 'github.com/!burnt!sushi/toml';
const PSEUDO_OLD = 'v0.0.0-20200101000000-abcdefabcdef';
const PSEUDO_NEW = 'v0.0.0-20210101000000-123456789abc';

const modules: SourceModule[] = [
  { path: TOML, version: 'v1.2.0' },
  { path: TOML, version: 'v1.2.1' },
  { path: TOML, version: 'v1.3.0-pre' },
  // Held for its go.mod alone: never listed, never @latest, reachable by exact version.
  { path: TOML, version: 'v1.4.0' },
  { path: 'example.com/pre', version: 'v0.1.0-alpha' },
  { path: 'example.com/pre', version: 'v0.2.0-beta' },
  { path: 'example.com/pseudo', version: PSEUDO_NEW },
  { path: 'example.com/pseudo', version: PSEUDO_OLD },
  { path: 'example.com/modonly', version: 'v1.0.0' },
];
const withoutZip = new Set([`${TOML}@v1.4.0`, 'example.com/modonly@v1.0.0']);

/** A secret next to the store and inside its folder: no request may ever read it. */
const SECRET = 'modferry-serve-secret-4f1c2b';

let root: string;
let cleanup: () => Promise<void>;
let store: DiskStore;
let server: RunningProxyServer;
const logLines: string[] = [];
/** The bytes of each file put in the store, by tree path. */
const sourceBytes = new Map<string, Buffer>();

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('serve'));
  const sources = (await makeBundleSources(path.join(root, 'cache'), modules)).filter((file) => {
    const match = /^(.+)\/@v\/(.+)\.zip$/.exec(file.path);
    return !(match && [...withoutZip].some((key) => key === `${unescapedPath(match[1] ?? '')}@${match[2]}`));
  });
  for (const file of sources) sourceBytes.set(file.path, await readFile(file.source));
  const key = testSigningKey();
  const bundle = await writeBundle({
    outDir: path.join(root, 'bundles'),
    files: sources,
    inputs: [{ kind: 'module', value: `${TOML}@v1.2.1` }],
    signingKey: key,
    toolVersion: 'test',
  });
  const storeDir = path.join(root, 'store');
  store = openStore(storeDir, { mode: 'write' });
  await importBundle(bundle.bundleDir, { store, trust: (signer) => signer.fingerprint === key.fingerprint });
  await writeFile(path.join(storeDir, 'secret.txt'), SECRET);
  await writeFile(path.join(root, 'secret.txt'), SECRET);
  server = await startProxyServer({ store, host: '127.0.0.1', port: 0, log: (line) => logLines.push(line) });
});

after(async () => {
  await server.close();
  store.close();
  await cleanup();
});

function unescapedPath(escaped: string): string {
  return modules.map((m) => m.path).find((p) => escapePath(p) === escaped) ?? escaped;
}

function treePath(modulePath: string, version: string, kind: 'info' | 'mod' | 'zip'): string {
  return `${escapePath(modulePath)}/@v/${escapeVersion(version)}.${kind}`;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request with the target sent exactly as written (fetch would normalise `..` and `%2e`). */
function request(target: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Bytes straight onto a socket, for targets an HTTP client refuses to send (raw backslashes, absolute-form). */
function rawRequest(target: string, headerLines: string[] = []): Promise<{ status: number; text: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      const host = headerLines.some((line) => /^host:/i.test(line)) ? [] : ['Host: 127.0.0.1'];
      const headers = [...host, 'Connection: close', ...headerLines].map((line) => `${line}\r\n`).join('');
      socket.end(`GET ${target} HTTP/1.1\r\n${headers}\r\n`);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
    socket.on('error', reject);
  });
}

function missesOf(modulePath: string): string[] {
  return store.misses().filter((m) => m.path === modulePath).map((m) => m.query);
}

describe('GOPROXY endpoints', () => {
  test('@v/list names the versions held in full, one per line, lowest first', async () => {
    const reply = await request(`/${TOML_ESCAPED}/@v/list`);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(reply.body.toString(), 'v1.2.0\nv1.2.1\nv1.3.0-pre\n');
    assert.equal(reply.headers['content-length'], String(reply.body.length));
    assert.equal(reply.headers.etag, `"${sha256Hex(reply.body)}"`);
  });

  test('pseudo-versions are left out of the list, as the go command\'s own proxies do: a module holding only them lists nothing, and is no miss', async () => {
    const reply = await request('/example.com/pseudo/@v/list');
    assert.equal(reply.status, 200);
    assert.equal(reply.body.toString(), '');
    assert.deepEqual(missesOf('example.com/pseudo'), []);
  });

  const versionFiles: Array<[string, string, 'info' | 'mod' | 'zip', string]> = [
    ['a .info', 'v1.2.0', 'info', 'application/json'],
    ['a .mod', 'v1.2.0', 'mod', 'text/plain; charset=utf-8'],
    ['a .zip', 'v1.2.0', 'zip', 'application/zip'],
    ['the .mod of a version held for its go.mod alone', 'v1.4.0', 'mod', 'text/plain; charset=utf-8'],
    ['the .info of a prerelease', 'v1.3.0-pre', 'info', 'application/json'],
  ];
  for (const [name, version, kind, contentType] of versionFiles) {
    test(`${name} is the stored file, with its type, length and sha256 ETag`, async () => {
      const tree = treePath(TOML, version, kind);
      const expected = sourceBytes.get(tree);
      assert.ok(expected, `${tree} was put in the store`);
      const reply = await request(`/${tree}`);
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['content-type'], contentType);
      assert.equal(reply.headers['content-length'], String(expected.length));
      assert.equal(reply.headers.etag, `"${sha256Hex(expected)}"`);
      assert.deepEqual(reply.body, expected);
    });
  }

  test('a query or a long target still answers the file, every time', async () => {
    const tree = treePath(TOML, 'v1.2.0', 'mod');
    for (const target of [`/${tree}?go-get=1`, `/${tree}?${'x'.repeat(2000)}`, `/${tree}`]) {
      for (const round of [1, 2]) {
        const reply = await request(target);
        assert.equal(reply.status, 200, `${target.slice(0, 80)} (${round})`);
        assert.deepEqual(reply.body, sourceBytes.get(tree));
      }
    }
  });

  test('the go command sends "!" as %21: the same module answers', async () => {
    const reply = await request('/github.com/%21burnt%21sushi/toml/@v/v1.2.0.mod');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, sourceBytes.get(treePath(TOML, 'v1.2.0', 'mod')));
  });

  const latestCases: Array<[string, string, string]> = [
    ['the highest release, not a higher prerelease or a version without a zip', TOML_ESCAPED, 'v1.2.1'],
    ['the highest prerelease when there is no release', 'example.com/pre', 'v0.2.0-beta'],
    ['the newest pseudo-version when nothing is tagged', 'example.com/pseudo', PSEUDO_NEW],
  ];
  for (const [name, escaped, version] of latestCases) {
    test(`@latest answers the .info of ${name}`, async () => {
      const reply = await request(`/${escaped}/@latest`);
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['content-type'], 'application/json');
      const info = JSON.parse(reply.body.toString()) as { Version: string; Time: string };
      assert.equal(info.Version, version);
      assert.match(info.Time, /^\d{4}-\d\d-\d\dT/);
    });
  }

  test('HEAD answers the headers of GET without a body', async () => {
    for (const target of [`/${TOML_ESCAPED}/@v/list`, `/${treePath(TOML, 'v1.2.0', 'zip')}`, `/${TOML_ESCAPED}/@latest`]) {
      const get = await request(target);
      const head = await request(target, { method: 'HEAD' });
      assert.equal(head.status, 200, target);
      assert.equal(head.body.length, 0, target);
      for (const name of ['content-type', 'content-length', 'etag']) assert.equal(head.headers[name], get.headers[name], `${name} of ${target}`);
    }
  });

  test('If-None-Match with the ETag gets 304 and no body; another ETag gets the file', async () => {
    for (const target of [`/${treePath(TOML, 'v1.2.0', 'zip')}`, `/${TOML_ESCAPED}/@v/list`]) {
      const { headers } = await request(target);
      const etag = headers.etag ?? '';
      for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const reply = await request(target, { headers: { 'If-None-Match': ifNoneMatch } });
        assert.equal(reply.status, 304, `${target} with If-None-Match: ${ifNoneMatch}`);
        assert.equal(reply.body.length, 0);
        assert.equal(reply.headers.etag, etag);
      }
      const changed = await request(target, { headers: { 'If-None-Match': '"0000"' } });
      assert.equal(changed.status, 200);
    }
  });

  test('If-None-Match sent as two header lines counts as one list', async () => {
    const target = `/${treePath(TOML, 'v1.2.1', 'zip')}`;
    const etag = (await request(target)).headers.etag ?? '';
    const reply = await rawRequest(target, ['If-None-Match: "other"', `If-None-Match: ${etag}`]);
    assert.equal(reply.status, 304, reply.text);
  });

  test('many clients asking at once get every file whole, before and after it is held in memory', async () => {
    for (const kind of ['zip', 'mod', 'info'] as const) {
      const tree = treePath('example.com/pre', 'v0.2.0-beta', kind);
      const expected = sourceBytes.get(tree);
      assert.ok(expected, tree);
      for (const round of ['first', 'again']) {
        const replies = await Promise.all(Array.from({ length: 16 }, () => request(`/${tree}`)));
        for (const reply of replies) {
          assert.equal(reply.status, 200, `${tree} (${round})`);
          assert.deepEqual(reply.body, expected, `${tree} (${round})`);
        }
      }
    }
  });

  test('the checksum database is not served: supported is 404, so the go command would go to it directly', async () => {
    const before = store.misses().length;
    const reply = await request('/sumdb/sum.golang.org/supported');
    assert.equal(reply.status, 404);
    assert.equal(store.misses().length, before, 'a sumdb probe is not a missing module');
  });

  test('/healthz is ok', async () => {
    const reply = await request('/healthz');
    assert.equal(reply.status, 200);
    assert.equal(reply.body.toString().trim(), 'ok');
  });

  test('/stats counts the store, requests and misses', async () => {
    const first = JSON.parse((await request('/stats')).body.toString()) as Record<string, unknown>;
    await request('/example.com/nowhere/@v/list');
    const reply = await request('/stats');
    assert.equal(reply.headers['content-type'], 'application/json');
    const stats = JSON.parse(reply.body.toString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(stats).sort(), ['bytes', 'misses', 'modules', 'requests', 'startedAt', 'versions']);
    assert.deepEqual({ modules: stats.modules, versions: stats.versions, bytes: stats.bytes }, store.stats());
    assert.equal(stats.modules, 4);
    assert.equal(stats.requests, (first.requests as number) + 2);
    assert.equal(stats.misses, (first.misses as number) + 1);
    assert.ok(!Number.isNaN(Date.parse(String(stats.startedAt))));
  });

  test('methods other than GET and HEAD get 405', async () => {
    const reply = await request(`/${TOML_ESCAPED}/@v/list`, { method: 'POST' });
    assert.equal(reply.status, 405);
    assert.equal(reply.headers.allow, 'GET, HEAD');
  });

  test('each request is one log line: method, target, status, bytes, time', async () => {
    const target = `/${treePath(TOML, 'v1.2.1', 'mod')}`;
    await request(target);
    const size = sourceBytes.get(treePath(TOML, 'v1.2.1', 'mod'))?.length;
    assert.ok(logLines.some((line) => line.startsWith(`GET ${target} 200 ${size}B `)), logLines.join('\n'));
    assert.ok(logLines.every((line) => /^[A-Z]+ \S+ \d{3} \d+B \d+ms( \(.*\))?$/.test(line)), logLines.join('\n'));
  });
});

describe('what the store lacks: 404 with one line, recorded as a miss', () => {
  const cases: Array<[string, string, string, string]> = [
    ['an unknown module\'s list', '/example.com/missing/@v/list', 'example.com/missing', 'list'],
    ['an unknown module\'s @latest', '/example.com/missing/@latest', 'example.com/missing', 'latest'],
    ['a version the store lacks', `/${TOML_ESCAPED}/@v/v1.9.9.info`, TOML, 'v1.9.9'],
    ['the zip of a version held for its go.mod alone', `/${TOML_ESCAPED}/@v/v1.4.0.zip`, TOML, 'v1.4.0'],
    ['the list of a module with no version held in full', '/example.com/modonly/@v/list', 'example.com/modonly', 'list'],
    ['@latest of a module with no version held in full', '/example.com/modonly/@latest', 'example.com/modonly', 'latest'],
    // What a request file can ask for of the module, however many such queries a client makes up.
    ['a branch name sent as a query', `/${TOML_ESCAPED}/@v/master.info`, TOML, 'latest'],
    ['a version prefix sent as a query', `/${TOML_ESCAPED}/@v/v1.2.info`, TOML, 'latest'],
    ['an upper-case path (escaped)', '/github.com/!azure/azure-sdk-for-go/@v/v1.0.0.mod', 'github.com/Azure/azure-sdk-for-go', 'v1.0.0'],
    ['a version the major suffix rules out', '/example.com/pre/v2/@v/v1.0.0.mod', 'example.com/pre/v2', 'latest'],
  ];
  for (const [name, target, modulePath, query] of cases) {
    test(name, async () => {
      const reply = await request(target);
      assert.equal(reply.status, 404);
      assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8');
      const text = reply.body.toString();
      assert.match(text, /^not found: [^\n]+\n$/, 'one line');
      assert.ok(text.includes(modulePath), text);
      assert.ok(missesOf(modulePath).includes(query), `miss ${modulePath} ${query} recorded: ${JSON.stringify(store.misses())}`);
    });
  }

  test('a miss asked twice is counted twice', async () => {
    await request('/example.com/twice/@v/v1.0.0.mod');
    await request('/example.com/twice/@v/v1.0.0.mod');
    assert.equal(store.misses().find((m) => m.path === 'example.com/twice')?.count, 2);
  });

  test('a miss while an import holds the catalog is answered and recorded without waiting for it', async () => {
    const importer = new Database(path.join(store.dir, 'catalog.db'));
    importer.exec('BEGIN IMMEDIATE');
    let reply;
    try {
      reply = await request('/example.com/during-import/@v/v1.0.0.info');
      assert.equal(store.flushMisses(false), false, 'the catalog is still locked');
    } finally {
      importer.exec('ROLLBACK');
      importer.close();
    }
    assert.equal(reply.status, 404);
    assert.match(reply.body.toString(), /\(recorded as a miss for the next transfer\)\n$/);
    assert.deepEqual(missesOf('example.com/during-import'), ['v1.0.0']);
  });

  test('a flood of 4,000-character paths is answered 404 and adds no row to the catalog', async () => {
    const rows = store.misses().length;
    const before = store.droppedMisses().find((d) => d.reason === 'invalid')?.count ?? 0;
    const segment = 'f'.repeat(60);
    for (let batch = 0; batch < 10; batch++) {
      const replies = await Promise.all(Array.from({ length: 30 }, (_, i) =>
        request(`/example.com/${Array.from({ length: 65 }, () => segment).join('/')}${batch * 30 + i}/@v/v1.0.0.info`)));
      assert.ok(replies.every((r) => r.status === 404));
    }
    assert.equal(store.misses().length, rows);
    assert.equal(store.droppedMisses().find((d) => d.reason === 'invalid')?.count, before + 300);
  });

  test('a request that is no module path is answered 404 and counted as dropped, not recorded', async () => {
    const before = store.droppedMisses().find((d) => d.reason === 'invalid')?.count ?? 0;
    const reply = await request(`/example.com/${'x'.repeat(400)}/@v/v1.0.0.info`);
    assert.equal(reply.status, 404);
    assert.doesNotMatch(reply.body.toString(), /recorded/);
    assert.equal(store.droppedMisses().find((d) => d.reason === 'invalid')?.count, before + 1);
    assert.ok(logLines.some((line) => line.endsWith('(miss not recorded: not a module path and version)')), logLines.join('\n'));
  });
});

describe('requests that try to reach files outside the store', () => {
  const crafted = [
    '/..%2f..%2fetc/passwd',
    '/%2e%2e/',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%2E%2E%2Fcatalog.db',
    '/github.com/x/y/@v/..%2F..%2Fcatalog.db',
    '/github.com/x/y/@v/..%2F..%2F..%2Fsecret.txt',
    `/${TOML_ESCAPED}/@v/v1.2.0.mod%2F..%2F..%2F..%2F..%2F..%2Fsecret.txt`,
    '/github.com%2fx%2fy/@v/list',
    '/github.com/x/y/@v/%5c..%5c..%5ccatalog.db',
    '/github.com/x/y/@v/v1.0.0.mod%00.zip',
    '/github.com/x/y/@v/%2e%2e.mod',
    '/github.com/x/y/@v/%c0%ae%c0%ae.mod',
    '/github.com/x/y/@v/%252e%252e%252fcatalog.db',
    '/catalog.db',
    '/secret.txt',
    '/tree/github.com/!burnt!sushi/toml/@v/v1.2.0.mod',
    '/github.com/x/y/@v/list/../../../../secret.txt',
    '//etc/passwd',
    '/.%2e/.%2e/secret.txt',
  ];
  for (const target of crafted) {
    test(`${target} gets 400 or 404 and nothing of the file`, async () => {
      const reply = await request(target);
      assert.ok(reply.status === 400 || reply.status === 404, `status ${reply.status}`);
      const text = reply.body.toString('latin1');
      assert.ok(!text.includes(SECRET) && !text.includes('root:') && !text.includes('SQLite'), text);
      assert.match(text, /^[^\n]+\n$/, 'one line');
    });
  }

  const raw = ['/github.com/x/y/@v/..\\..\\catalog.db', '/../../secret.txt', `/${TOML_ESCAPED}/@v/../../../../secret.txt`, 'http://127.0.0.1/../secret.txt'];
  for (const target of raw) {
    test(`${target} sent raw gets 400 or 404 and nothing of the file`, async () => {
      const reply = await rawRequest(target);
      assert.ok(reply.status === 400 || reply.status === 404, `status ${reply.status}: ${reply.text}`);
      assert.ok(!reply.text.includes(SECRET) && !reply.text.includes('SQLite'), reply.text);
    });
  }

  test('only valid module paths were ever recorded as misses', () => {
    for (const miss of store.misses()) assert.ok(isValidModulePath(miss.path), miss.path);
  });
});

describe('requests naming another host (DNS rebinding)', () => {
  const target = () => `/${treePath(TOML, 'v1.2.0', 'mod')}`;

  for (const host of ['evil.example', 'evil.example:3000', 'localhost.evil.example', '127.0.0.1.evil.example', '10.0.0.1', '[::2]:3000']) {
    test(`Host: ${host} is refused with 403 by a server on loopback, and nothing of the file is sent`, async () => {
      const reply = await rawRequest(target(), [`Host: ${host}`]);
      assert.equal(reply.status, 403, reply.text);
      assert.match(reply.text, /forbidden: this proxy listens on 127\.0\.0\.1/);
      assert.ok(!reply.text.includes('module github.com'), 'no part of the .mod');
    });
  }

  for (const host of ['127.0.0.1', '127.0.0.1:3000', 'localhost:3000', 'LOCALHOST.', 'proxy.localhost:3000', '[::1]:3000', '127.1.2.3']) {
    test(`Host: ${host} names this machine and is answered`, async () => {
      const reply = await rawRequest(target(), [`Host: ${host}`]);
      assert.equal(reply.status, 200, reply.text);
    });
  }

  test('a server listening on every interface answers any host name: the team reaches it by names it cannot know', async () => {
    const wide = await startProxyServer({ store, host: '0.0.0.0', port: 0 });
    try {
      const { port } = new URL(wide.url);
      const reply = await new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: target(), headers: { Host: 'modproxy.team.lan' }, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
      assert.equal(reply, 200);
    } finally {
      await wide.close();
    }
  });
});

describe('a store file that changed on disk since import', () => {
  // The .info names its version, so no other store file has these bytes (the memory cache is keyed by content).
  test('is refused with a 500 instead of a body of the wrong length', async () => {
    const target = treePath('example.com/pre', 'v0.1.0-alpha', 'info');
    await truncate(path.join(store.dir, 'tree', ...target.split('/')), 3);
    const reply = await request(`/${target}`);
    assert.equal(reply.status, 500);
    assert.match(reply.body.toString(), /^internal error: the store's copy of this file is damaged or missing/);
    assert.ok(!reply.body.toString().includes(store.dir), 'the store folder is not told to clients');
  });
});

/**
 * A proxy server in a process of its own, so its memory is measured alone: it reports its resident
 * set size once listening, and its peak (process.resourceUsage().maxRSS, in KiB) once stdin closes.
 */
async function serverProcess(storeDir: string): Promise<{ url: string; startRss: number; stop(): Promise<number> }> {
  const code = `
    const { startProxyServer } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'electron', 'core', 'serve', 'proxyHttpServer'))});
    const { openStore } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'electron', 'core', 'store', 'diskStore'))});
    const store = openStore(process.env.MODFERRY_TEST_STORE, { mode: 'write' });
    startProxyServer({ store, host: '127.0.0.1', port: 0 }).then((server) => {
      console.log(JSON.stringify({ url: server.url, rss: process.memoryUsage().rss }));
      process.stdin.on('end', async () => {
        await server.close();
        store.close();
        console.log(JSON.stringify({ maxRss: process.resourceUsage().maxRSS * 1024 }));
      });
      process.stdin.resume();
    });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], {
    env: { ...process.env, MODFERRY_TEST_STORE: storeDir },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<Record<string, unknown>> => {
    const { value } = await lines.next();
    if (typeof value !== 'string') throw new Error('the server process ended without reporting (its stderr is above)');
    return JSON.parse(value) as Record<string, unknown>;
  };
  const started = await nextLine();
  return {
    url: String(started.url),
    startRss: Number(started.rss),
    async stop() {
      child.stdin.end();
      const { maxRss } = await nextLine();
      await once(child, 'exit');
      return Number(maxRss);
    },
  };
}

describe('streaming', () => {
  test('64 concurrent downloads of a 100 MiB zip keep the server well under 200 MB', { timeout: 120_000 }, async () => {
    const size = 100 * 1024 * 1024;
    const big = { path: 'example.com/big', version: 'v1.0.0' };
    const tree = treePath(big.path, big.version, 'zip');
    const file = path.join(store.dir, 'tree', ...tree.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '');
    await truncate(file, size);
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    store.catalog.recordImport(
      { bundleId: 'mf-20260101-00000000', signer: 'test', createdAt: '2026-01-01T00:00:00Z', importedAt: '2026-01-01T00:00:00Z' },
      [{ path: tree, modulePath: big.path, version: big.version, kind: 'zip', size, sha256: hash.digest('hex'), h1: `h1:${Buffer.alloc(32).toString('base64')}` }],
    );

    const child = await serverProcess(store.dir);
    let received: number[];
    let maxRss: number;
    try {
      const { port } = new URL(child.url);
      received = await Promise.all(
        Array.from({ length: 64 }, () =>
          new Promise<number>((resolve, reject) => {
            http
              .get({ host: '127.0.0.1', port, path: `/${tree}`, agent: false }, (res) => {
                let bytes = 0;
                // Slow readers at first: a server that ignored backpressure would queue the whole file in memory now.
                res.pause();
                setTimeout(() => {
                  res.on('data', (chunk: Buffer) => (bytes += chunk.length));
                  res.on('end', () => resolve(bytes));
                  res.resume();
                }, 500);
                res.on('error', reject);
              })
              .on('error', reject);
          }),
        ),
      );
    } finally {
      maxRss = await child.stop();
    }
    assert.deepEqual(new Set(received), new Set([size]));
    const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
    const summary = `the server used ${mib(child.startRss)} idle and peaked at ${mib(maxRss)} while serving 64 × 100 MiB`;
    assert.ok(maxRss < 200 * 1024 * 1024, summary);
    assert.ok(maxRss - child.startRss < 100 * 1024 * 1024, summary);
  });
});
