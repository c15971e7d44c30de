import { execFile } from 'node:child_process';
import path from 'node:path';

const cli = path.join(__dirname, '..', '..', 'bin', 'modferry.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The built `modferry` (from dist/) in a process of its own, as an operator runs it. No checksum
 * database unless the test names one (GOSUMDB): an unset GOSUMDB would mean sum.golang.org.
 */
export function runBuiltCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { GOSUMDB: 'off', ...env }, timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}
