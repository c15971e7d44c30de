import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Measured {
  seconds: number;
  peakRssBytes: number;
  code: number | null;
  stderr: string;
}

/**
 * Runs a command to completion, sampling its peak resident memory (VmHWM) from /proc while it runs.
 * `onStdoutLine` hears each line of its output with the seconds since the start at which it arrived.
 */
export function measure(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string, onStdoutLine?: (line: string, seconds: number) => void): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', onStdoutLine ? 'pipe' : 'ignore', 'pipe'] });
    if (onStdoutLine && child.stdout) {
      let pending = '';
      child.stdout.on('data', (chunk: Buffer) => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const lines = (pending + chunk.toString()).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) onStdoutLine(line, seconds);
      });
    }
    let stderr = '';
    let peak = 0;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const sample = () => {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (match) peak = Math.max(peak, Number(match[1]) * 1024);
      } catch {
        // The process has exited between samples; its last sample stands.
      }
    };
    const timer = setInterval(sample, 50);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssBytes: peak, code, stderr });
    });
  });
}
