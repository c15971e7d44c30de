import packageJson from '../../package.json';
import { exportCommand, exportUsage } from './commands/exportCommand';
import { hashCommand, hashUsage } from './commands/hashCommand';
import { importCommand, importUsage } from './commands/importCommand';
import { inventoryCommand, inventoryUsage } from './commands/inventoryCommand';
import { keysCommand, keysUsage } from './commands/keysCommand';
import { requestCommand, requestUsage } from './commands/requestCommand';
import { serveCommand, serveUsage } from './commands/serveCommand';
import { verifyCommand, verifyUsage } from './commands/verifyCommand';
import { processOutput, type CommandOutput } from './output';
import { UsageError } from './usageError';

type Command = { summary: string; usage: string; run(args: string[], output: CommandOutput): Promise<number> };

const commands: Record<string, Command> = {
  export: { summary: 'resolve, download and write a verified, signed bundle', usage: exportUsage, run: exportCommand },
  verify: { summary: 'check a bundle: signature, volumes and every file', usage: verifyUsage, run: verifyCommand },
  import: { summary: 'verify a bundle and add it to the offline store', usage: importUsage, run: importCommand },
  serve: { summary: 'serve the offline store as a GOPROXY', usage: serveUsage, run: serveCommand },
  request: { summary: 'write the modules developers asked for but the store lacks', usage: requestUsage, run: requestCommand },
  inventory: { summary: 'write what the store holds, for export --since', usage: inventoryUsage, run: inventoryCommand },
  keys: { summary: 'generate the signing key, trust and list signers', usage: keysUsage, run: keysCommand },
  hash: { summary: 'print the h1: hash of a module zip or go.mod', usage: hashUsage, run: hashCommand },
};

function overview(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'modferry: carry Go modules across an air gap',
    '',
    'Usage: modferry COMMAND [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options: --help (also after a command), --version',
  ].join('\n');
}

/** Runs one CLI invocation; returns the process exit code. Never throws: every failure becomes one line on stderr. */
export async function runCli(argv: string[], output: CommandOutput = processOutput): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    output.out(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    output.out(packageJson.version);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    output.err(`modferry: unknown command "${name}" (see modferry --help)`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    output.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, output);
  } catch (error) {
    return reportFailure(error, name, output);
  }
}

function reportFailure(error: unknown, commandName: string, output: CommandOutput): number {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError || isParseArgsError(error)) {
    output.err(`modferry ${commandName}: ${message} (see modferry ${commandName} --help)`);
    return 2;
  }
  output.err(`modferry ${commandName}: ${message}`);
  if (process.env.MODFERRY_DEBUG && error instanceof Error && error.stack) output.err(error.stack);
  return 1;
}

function isParseArgsError(error: unknown): boolean {
  const code: unknown = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

export function runFromProcess(): void {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
