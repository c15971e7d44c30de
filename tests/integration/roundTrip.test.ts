import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../electron/cli/main';
import { openStore } from '../../electron/core/store/diskStore';
import { startProxyServer, type RunningProxyServer } from '../../electron/core/serve/proxyHttpServer';
import { parseRequestFile } from '../../shared/roundtrip/requestFile';
import { captureOutput } from '../support/captureOutput';
import { debianGoproxyFixture, type GoproxyFixture } from '../support/debianFixture';
import { startFixtureUpstream, type FixtureUpstream } from '../support/fixtureUpstream';
import { offlineGoEnv, requireGo, runGo, scratchGoWorkspace } from '../support/goCommand';
import { goProgram } from '../support/goProgramFixture';

// The CLI and the app read GOSUMDB, and unset means sum.golang.org: these tests ask no checksum database.
process.env.GOSUMDB = 'off';

let fixture: GoproxyFixture;
let upstream: FixtureUpstream;
let scratch: string;
const savedHome = process.env.MODFERRY_HOME;

before(async () => {
  fixture = await debianGoproxyFixture();
  upstream = await startFixtureUpstream(fixture.dir);
  scratch = await mkdtemp(path.join(os.tmpdir(), 'modferry-roundtrip-'));
});

after(async () => {
  await upstream?.close();
  if (savedHome === undefined) delete process.env.MODFERRY_HOME;
  else process.env.MODFERRY_HOME = savedHome;
  await rm(scratch, { recursive: true, force: true });
});

/** Runs the CLI as one side of the air gap: each side has its own data folder (keys, trust, store). */
async function onSide(side: 'online' | 'offline', args: string[]): Promise<string[]> {
  process.env.MODFERRY_HOME = path.join(scratch, side);
  const output = captureOutput();
  const code = await runCli(args, output);
  assert.equal(code, 0, `modferry ${args.join(' ')}:\n${output.stderr.join('\n')}\n${output.stdout.join('\n')}`);
  return output.stdout;
}

async function exportAndImport(exportArgs: string[], label: string): Promise<void> {
  const drive = path.join(scratch, `drive-${label}`);
  await mkdir(drive);
  await onSide('online', ['export', '--upstream', upstream.url, '--out', drive, ...exportArgs]);
  const [bundle] = readdirSync(drive);
  await onSide('offline', ['import', path.join(drive, bundle!), '--store', path.join(scratch, 'store')]);
}

test('export, carry, import, serve: the go command builds offline, misses become the next request, and the round trip closes', { timeout: 900_000 }, async (t) => {
  if (!requireGo(t)) return;
  const project = await goProgram(fixture, scratch);
  await onSide('online', ['keys', 'generate']);
  await onSide('offline', ['keys', 'trust', path.join(scratch, 'online', 'keys', 'modferry-signing-key.pub.pem')]);
  await exportAndImport(['--project', project], 'first');

  let store = openStore(path.join(scratch, 'store'), { mode: 'write' });
  let server: RunningProxyServer = await startProxyServer({ store, host: '127.0.0.1', port: 0 });
  t.after(async () => {
    await server.close();
    store.close();
  });

  const workspace = await scratchGoWorkspace('roundtrip');
  t.after(() => workspace.cleanup());
  const env = offlineGoEnv(server.url, workspace.modCache);
  await runGo(['build', './...'], { cwd: project, env });
  const tested = await runGo(['test', './...'], { cwd: project, env });
  assert.match(tested.stdout, /^ok\s+example\.com\/basic/m);

  const toml = fixture.modules.find((m) => m.path === 'github.com/BurntSushi/toml')!;
  const versions = await runGo(['list', '-m', '-versions', toml.path], { cwd: project, env });
  assert.equal(versions.stdout.trim(), `${toml.path} ${toml.version}`);
  const latest = await runGo(['list', '-m', `${toml.path}@latest`], { cwd: project, env });
  assert.equal(latest.stdout.trim(), `${toml.path} ${toml.version}`);
  const got = await runGo(['get', `${toml.path}@latest`], { cwd: project, env });
  assert.doesNotMatch(got.stderr, /error|not found/i);
  assert.match(await readFile(path.join(project, 'go.mod'), 'utf8'), new RegExp(`${toml.path} ${toml.version.replace(/[.+]/g, '\\$&')}`));

  const other = await goProgram(fixture, scratch, 'uuid', ['github.com/google/uuid', 'github.com/pkg/errors']);
  const failed = await runGo(['build', './...'], { cwd: other, env }).then(() => undefined, (error: Error) => error);
  assert.ok(failed, 'a module the store lacks must fail the build');
  assert.match(failed.message, /github\.com\/google\/uuid@v[^:]+: (reading|verifying).*404 Not Found/);

  const requestFile = path.join(scratch, 'request.txt');
  // The server writes its misses within a second on its own; the test does not wait for that.
  store.flushMisses();
  await onSide('offline', ['request', '--store', path.join(scratch, 'store'), '--out', requestFile]);
  const requested = parseRequestFile(await readFile(requestFile, 'utf8'), requestFile).map((r) => r.path);
  assert.ok(requested.includes('github.com/google/uuid'), `request file asks for: ${requested.join(', ')}`);

  await server.close();
  store.close();
  await exportAndImport(['--request', requestFile], 'second');
  store = openStore(path.join(scratch, 'store'), { mode: 'write' });
  server = await startProxyServer({ store, host: '127.0.0.1', port: 0 });
  await runGo(['build', './...'], { cwd: other, env: offlineGoEnv(server.url, workspace.modCache) });
});
