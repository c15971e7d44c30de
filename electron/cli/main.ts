import packageJson from '../../package.json';
import { processOutput, type CommandOutput } from './output';
import { errorMessage } from '../../shared/errorMessage';
import { errorKind, errorRecord } from '../core/errors/modferryError';

interface CommandModule {
  usage: string;
  run(args: string[], output: CommandOutput): Promise<number>;
}

// Loaded on use: a command should not pay for the start-up of the others (SQLite, tar, HTTP).
const commands: Record<string, { summary: string; load(): Promise<CommandModule> }> = {
  export: {
    summary: 'resolve, download and write a verified, signed bundle',
    load: async () => import('./commands/exportCommand.js').then((m) => ({ usage: m.exportUsage, run: m.exportCommand })),
  },
  verify: {
    summary: 'check a bundle: signature, volumes and every file',
    load: async () => import('./commands/verifyCommand.js').then((m) => ({ usage: m.verifyUsage, run: m.verifyCommand })),
  },
  import: {
    summary: 'verify a bundle and add it to the offline store',
    load: async () => import('./commands/importCommand.js').then((m) => ({ usage: m.importUsage, run: m.importCommand })),
  },
  serve: {
    summary: 'serve the offline store as a GOPROXY',
    load: async () => import('./commands/serveCommand.js').then((m) => ({ usage: m.serveUsage, run: (args, output) => m.serveCommand(args, output) })),
  },
  ui: {
    summary: 'run the app in a web browser (this machine, or others with --listen)',
    load: async () => import('./commands/uiCommand.js').then((m) => ({ usage: m.uiUsage, run: (args, output) => m.uiCommand(args, output) })),
  },
  request: {
    summary: 'write the modules developers asked for but the store lacks',
    load: async () => import('./commands/requestCommand.js').then((m) => ({ usage: m.requestUsage, run: m.requestCommand })),
  },
  misses: {
    summary: 'list or clear the requests the store could not answer',
    load: async () => import('./commands/missesCommand.js').then((m) => ({ usage: m.missesUsage, run: m.missesCommand })),
  },
  inventory: {
    summary: 'write what the store holds, for export --since',
    load: async () => import('./commands/inventoryCommand.js').then((m) => ({ usage: m.inventoryUsage, run: m.inventoryCommand })),
  },
  store: {
    summary: "check the store's files against its catalog; repair them from bundles",
    load: async () => import('./commands/storeCommand.js').then((m) => ({ usage: m.storeUsage, run: m.storeCommand })),
  },
  keys: {
    summary: 'generate and show the signing key, trust and list signers',
    load: async () => import('./commands/keysCommand.js').then((m) => ({ usage: m.keysUsage, run: m.keysCommand })),
  },
  cache: {
    summary: "show or clear the online side's download cache",
    load: async () => import('./commands/cacheCommand.js').then((m) => ({ usage: m.cacheUsageText, run: m.cacheCommand })),
  },
  drives: {
    summary: 'list the drives a bundle can be written to (--all: and why the others are not)',
    load: async () => import('./commands/drivesCommand.js').then((m) => ({ usage: m.drivesUsage, run: m.drivesCommand })),
  },
  status: {
    summary: 'show the data folder, the store, trusted keys, the own key and the download cache',
    load: async () => import('./commands/statusCommand.js').then((m) => ({ usage: m.statusUsage, run: m.statusCommand })),
  },
  hash: {
    summary: 'print the h1: hash of a module zip or go.mod',
    load: async () => import('./commands/hashCommand.js').then((m) => ({ usage: m.hashUsage, run: m.hashCommand })),
  },
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
  try {
    const loaded = await command.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      output.out(loaded.usage);
      return 0;
    }
    return await loaded.run(rest, output);
  } catch (error) {
    return reportFailure(error, name, output, rest.includes('--json'));
  }
}

/** One line on stderr, or with --json one JSON line on stdout, where the rest of the command's output went. */
function reportFailure(error: unknown, commandName: string, output: CommandOutput, json: boolean): number {
  const usage = errorKind(error) === 'usage';
  if (json) {
    output.out(JSON.stringify(errorRecord(error)));
  } else {
    output.err(`modferry ${commandName}: ${errorMessage(error)}${usage ? ` (see modferry ${commandName} --help)` : ''}`);
    if (process.env.MODFERRY_DEBUG && error instanceof Error && error.stack) output.err(error.stack);
  }
  return usage ? 2 : 1;
}

export function runFromProcess(): void {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
