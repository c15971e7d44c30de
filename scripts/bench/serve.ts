/**
 * bench:serve — from one run, prints:
 *  (a) `go mod download all` through `modferry serve` vs `GOPROXY=file://` of the same store tree;
 *  (b) requests/s for a .mod and a 1 MiB .zip at 64 connections (wrk) vs nginx serving the same tree;
 *      (a) and (b) with a miss flood (missFlood.ts) against `modferry serve` from another client throughout;
 *  (c) `modferry verify` throughput over bundles of source zips vs a one-core Python floor (verifyFloor.py)
 *      reading the same volumes, and over incompressible zips vs `sha256sum`;
 *  (d) the server's peak RSS during 64 concurrent downloads of a 100 MiB zip, summed over its processes.
 * `--workers N` serves with that many worker processes (default: `modferry serve`'s default).
 * Needs go, nginx, wrk and python3 (apt-get install golang-go nginx wrk python3). Loopback only; every load is time-bounded.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_WORKERS } from '../../electron/cli/commands/serveCommand';
import { removeTree } from '../../electron/core/fsutil/removeTree';
import { debianGoproxyFixture } from '../../tests/support/debianFixture';
import { startFixtureUpstream } from '../../tests/support/fixtureUpstream';
import { offlineGoEnv } from '../../tests/support/goCommand';
import { goProgram } from '../../tests/support/goProgramFixture';
import { measure } from './measure';
import { startMissFlood } from './missFlood';
import { writeSourceHistory } from './sourceHistory';
import { writeSyntheticModules } from './syntheticModules';
import { errorMessage } from '../../shared/errorMessage';

const cli = path.join(__dirname, '..', '..', 'bin', 'modferry.js');
const MiB = 1024 * 1024;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { workers: { type: 'string' } } });
  const workers = values.workers ?? String(DEFAULT_WORKERS);
  for (const tool of ['go', 'nginx', 'wrk', 'sha256sum', 'python3']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`]);
    } catch {
      throw new Error(`bench:serve needs ${tool} (apt-get install golang-go nginx wrk python3)`);
    }
  }
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'modferry-bench-serve-'));
  const children: ChildProcess[] = [];
  try {
    const env = { ...process.env, MODFERRY_HOME: path.join(scratch, 'home') };
    const store = path.join(scratch, 'store');
    const fixture = await debianGoproxyFixture();
    const project = await goProgram(fixture, scratch);
    const synthetic = path.join(scratch, 'synthetic');
    await writeSyntheticModules(synthetic, [{ path: 'example.com/onemib', bytes: MiB }, { path: 'example.com/big', bytes: 100 * MiB }]);
    // Every Debian module (real source zips, which verify must inflate), the synthetic ones
    // (incompressible), and eight versions of every Debian module (source zips at a size where
    // throughput, not start-up, is measured; verified only, not imported).
    const bundles = {
      source: path.join(scratch, 'bundle-source'),
      synthetic: path.join(scratch, 'bundle-synthetic'),
      'source history': path.join(scratch, 'bundle-history'),
    };
    const everyDebianModule = fixture.modules.flatMap((m) => ['--module', `${m.path}@${m.version}`]);
    const historyTree = path.join(scratch, 'history');
    const history = await writeSourceHistory(historyTree, fixture.modules, 8);
    const exports = [
      [fixture.dir, ['--project', project, ...everyDebianModule], bundles.source, true],
      [synthetic, ['--module', 'example.com/onemib@v1.0.0', '--module', 'example.com/big@v1.0.0'], bundles.synthetic, true],
      [historyTree, history.flatMap((m) => ['--module', `${m.path}@${m.version}`]), bundles['source history'], false],
    ] as const;
    for (const [tree, args, out, imported] of exports) {
      const upstream = await startFixtureUpstream(tree);
      try {
        await mkdir(out, { recursive: true });
        await run(cli, ['export', ...args, '--upstream', upstream.url, '--out', out, '--no-check'], env);
      } finally {
        await upstream.close();
      }
      if (imported) await run(cli, ['import', path.join(out, readdirSync(out)[0]!), '--store', store, '--trust-new-key'], env);
    }

    const port = 18000 + Math.floor(Math.random() * 1000);
    const server = spawn(process.execPath, [cli, 'serve', '--store', store, '--listen', `127.0.0.1:${port}`, '--workers', workers], { env, stdio: 'ignore' });
    children.push(server);
    const proxy = `http://127.0.0.1:${port}`;
    await waitFor(`${proxy}/healthz`);
    const flood = startMissFlood(proxy);
    children.push(flood.child);
    const withFlood = 'with miss flood';

    // (a)
    const tree = path.join(store, 'tree');
    // Five runs each, alternating, every one into an empty module cache on a RAM disk when there is
    // one: the go command's writes into the cache vary by tenths of a second from run to run on a
    // disk, more than the proxy costs.
    const cacheRoot = await mkdtemp(path.join(existsSync('/dev/shm') ? '/dev/shm' : scratch, 'modferry-bench-mc-'));
    const runs = { proxy: [] as number[], file: [] as number[] };
    try {
      for (let i = 0; i < 5; i++) {
        runs.proxy.push(await goDownloadAll(project, proxy, path.join(cacheRoot, `proxy-${i}`)));
        runs.file.push(await goDownloadAll(project, pathToFileURL(tree).href, path.join(cacheRoot, `file-${i}`)));
      }
    } finally {
      await removeTree(cacheRoot);
    }
    const [viaProxy, viaFile] = [medianOf(runs.proxy), medianOf(runs.file)];
    const seconds = (values: number[]) => values.map((v) => v.toFixed(2)).join('/');
    console.log(`(a) go mod download all: proxy ${viaProxy.toFixed(2)} s (runs ${seconds(runs.proxy)}), file:// ${viaFile.toFixed(2)} s (runs ${seconds(runs.file)}), ratio ${(viaProxy / viaFile).toFixed(2)}x ${withFlood} (target <= 1.3x)`);

    // (b)
    const nginxPort = port + 1000;
    children.push(await startNginx(scratch, tree, nginxPort));
    // Three 5 s runs each, alternating between the servers so that drift on a shared machine hits both; medians compared.
    for (const file of ['example.com/onemib/@v/v1.0.0.mod', 'example.com/onemib/@v/v1.0.0.zip']) {
      const runs = { ours: [] as number[], theirs: [] as number[] };
      for (let i = 0; i < 3; i++) {
        runs.ours.push(await wrk(`${proxy}/${file}`, 64, 5));
        runs.theirs.push(await wrk(`http://127.0.0.1:${nginxPort}/${file}`, 64, 5));
      }
      const ours = medianOf(runs.ours);
      const theirs = medianOf(runs.theirs);
      const each = (values: number[]) => values.map((v) => v.toFixed(0)).join('/');
      console.log(`(b) ${path.basename(file)} at 64 connections: modferry (--workers ${workers}) ${ours.toFixed(0)} req/s (runs ${each(runs.ours)}), nginx ${theirs.toFixed(0)} req/s (runs ${each(runs.theirs)}), ratio ${(ours / theirs).toFixed(2)}x ${withFlood} (target >= 0.7x)`);
    }
    const flooded = await flood.stop();
    console.log(`    miss flood during (a) and (b): ${flooded.requests} requests in ${flooded.seconds.toFixed(0)} s (${(flooded.requests / flooded.seconds).toFixed(0)}/s), ${flooded.unexpected} answered other than 404`);

    // (c) Source zips against the Python floor, which inflates and hashes as verify must; incompressible
    // zips, where reading and hashing is the work, against sha256sum.
    // The target on source zips is one of throughput: the small bundle is verified in about the time
    // Node takes to start, and is printed for what it shows, without one.
    const floor = ['python floor', 'python3', [path.join(__dirname, 'verifyFloor.py')]] as const;
    const sha256sum = ['sha256sum', 'sha256sum', []] as const;
    const against = {
      source: [...floor, 'start-up bound: no target'],
      synthetic: [...sha256sum, 'target >= 0.8x'],
      'source history': [...floor, 'target >= 1.0x'],
    } as const;
    for (const [label, out] of Object.entries(bundles)) {
      const bundleDir = path.join(out, readdirSync(out)[0]!);
      const volumes = readdirSync(bundleDir).filter((f) => f.endsWith('.tar')).map((f) => path.join(bundleDir, f));
      const volumeBytes = volumes.reduce((sum, f) => sum + statSync(f).size, 0);
      const [name, command, args, target] = against[label as keyof typeof against];
      // Medians of five runs each, alternating; every run reads the volumes from the page cache.
      const times = { verify: [] as number[], other: [] as number[] };
      for (let i = 0; i < 5; i++) {
        const verify = await measure(process.execPath, [cli, 'verify', bundleDir], env);
        if (verify.code !== 0) throw new Error(`verify failed: ${verify.stderr}`);
        times.verify.push(verify.seconds);
        const other = await measure(command, [...args, ...volumes], process.env);
        if (other.code !== 0) throw new Error(`${name} failed: ${other.stderr}`);
        times.other.push(other.seconds);
      }
      const [verify, theirs] = [medianOf(times.verify), medianOf(times.other)];
      const rate = (seconds: number) => volumeBytes / MiB / seconds;
      const each = (values: number[]) => values.map((v) => v.toFixed(2)).join('/');
      console.log(`(c) verify of the ${label} bundle (${(volumeBytes / MiB).toFixed(0)} MiB): ${rate(verify).toFixed(0)} MiB/s (${verify.toFixed(2)} s, runs ${each(times.verify)}), ${name} ${rate(theirs).toFixed(0)} MiB/s (${theirs.toFixed(2)} s, runs ${each(times.other)}), modferry verify vs ${name}: ${(theirs / verify).toFixed(2)}x (${target})`);
    }

    // (d) Every process of the server counts: the primary and its workers.
    let peakSum = 0;
    const peaks = new Map<number, number>();
    const sampler = setInterval(() => {
      let sum = 0;
      for (const pid of [server.pid!, ...childrenOf(server.pid!)]) {
        const memory = memoryOf(pid);
        if (memory === undefined) continue;
        sum += memory.rss;
        peaks.set(pid, Math.max(peaks.get(pid) ?? 0, memory.hwm));
      }
      peakSum = Math.max(peakSum, sum);
    }, 50);
    const big = await wrk(`${proxy}/example.com/big/@v/v1.0.0.zip`, 64, 10);
    clearInterval(sampler);
    const hwmSum = [...peaks.values()].reduce((x, y) => x + y, 0);
    const mib = (bytes: number) => (bytes / MiB).toFixed(0);
    console.log(`(d) 64 concurrent downloads of a 100 MiB zip (${big.toFixed(1)} req/s): server peak RSS ${mib(peakSum)} MiB summed over ${peaks.size} process(es), --workers ${workers} (sum of each one's own peak: ${[...peaks.values()].map(mib).join(' + ')} = ${mib(hwmSum)} MiB) (target < 200 MB)`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await removeTree(scratch);
  }
}

/** The processes a process started (the workers of `modferry serve`), from every one of its threads' lists. */
function childrenOf(pid: number): number[] {
  try {
    const tasks = readdirSync(`/proc/${pid}/task`);
    return tasks.flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter((p) => p !== '').map(Number));
  } catch {
    return []; // the process has ended
  }
}

/** Resident set size now and at its peak, in bytes; undefined once the process has ended. */
function memoryOf(pid: number): { rss: number; hwm: number } | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kB = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kB('VmRSS'), hwm: kB('VmHWM') };
}

/** Async, so the fixture upstream in this process keeps answering while the child runs. */
async function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const result = await measure(process.execPath, [command, ...args], env);
  if (result.code !== 0) throw new Error(`modferry ${args[0]} failed: ${result.stderr}`);
}

async function goDownloadAll(project: string, goproxy: string, modCache: string): Promise<number> {
  const result = await measure('go', ['mod', 'download', 'all'], offlineGoEnv(goproxy, modCache), project);
  if (result.code !== 0) throw new Error(`go mod download all via ${goproxy} failed: ${result.stderr}`);
  return result.seconds;
}

function medianOf(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/** Requests per second wrk reports for one URL, bounded to `seconds`; async so samplers keep running. */
async function wrk(url: string, connections: number, seconds: number): Promise<number> {
  const out = await new Promise<string>((resolve, reject) => {
    execFile('wrk', ['-t2', `-c${connections}`, `-d${seconds}s`, '--timeout', '30s', url], { encoding: 'utf8' }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
  const match = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!match) throw new Error(`wrk printed no rate:\n${out}`);
  if (/Non-2xx/.test(out)) throw new Error(`wrk saw errors for ${url}:\n${out}`);
  return Number(match[1]);
}

async function startNginx(scratch: string, root: string, port: number): Promise<ChildProcess> {
  const prefix = path.join(scratch, 'nginx');
  await mkdir(path.join(prefix, 'logs'), { recursive: true });
  const conf = path.join(prefix, 'nginx.conf');
  await writeFile(conf, `user root;
worker_processes auto;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  types { application/zip zip; application/json info; }
  default_type text/plain;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server { listen 127.0.0.1:${port}; root ${root}; }
}
`);
  const nginx = spawn('nginx', ['-c', conf, '-p', prefix], { stdio: 'ignore' });
  await waitFor(`http://127.0.0.1:${port}/example.com/onemib/@v/v1.0.0.mod`);
  return nginx;
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within 10 s`);
}

main().catch((error: unknown) => {
  console.error(errorMessage(error));
  process.exitCode = 1;
});
