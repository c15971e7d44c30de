import type { CommandOutput } from '../../electron/cli/output';

/** Collects what a CLI command prints, for assertions. */
export function captureOutput(): CommandOutput & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}
