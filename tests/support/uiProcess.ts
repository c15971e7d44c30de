import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.join(__dirname, '..', '..');

export interface RunningUi {
  /** The URL it printed, with the token. */
  url: string;
  origin: string;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM, as Ctrl+C would; resolves with its exit code once it has cleaned up and exited. */
  stop(): Promise<number | null>;
}

/** `modferry ui` from the build in dist/, on a free loopback port, with its own data folder. */
export async function startUi(env: NodeJS.ProcessEnv, args: string[] = []): Promise<RunningUi> {
  const cli = path.join(repoRoot, 'bin', 'modferry.js');
  if (!existsSync(path.join(repoRoot, 'dist', 'renderer', 'index.html'))) throw new Error('dist/ is not built: run npm run build first');
  // No checksum database unless the test names one: an unset GOSUMDB would mean sum.golang.org.
  const child = spawn(process.execPath, [cli, 'ui', '--listen', '127.0.0.1:0', ...args], { env: { GOSUMDB: 'off', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`modferry ui printed no URL within 20 s; stdout: ${stdout}; stderr: ${stderr}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /open (http:\/\/\S+\?token=\S+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`modferry ui exited (${code}) before printing a URL: ${stderr}`));
    });
  });
  return {
    url,
    origin: new URL(url).origin,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
