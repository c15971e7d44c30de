import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * The flood: this many connections, each waiting this long between requests, so at most
 * about 800 misses a second whatever the server does (the rate of the junk misses the issue
 * reports growing the catalog). wrk runs in its own process, a client apart from the ones measured.
 */
const MISS_FLOOD_CONNECTIONS = 8;
const MISS_FLOOD_PAUSE_MS = 10;
/** A flood that nobody stops ends by itself after this long. */
const MISS_FLOOD_MAX_SECONDS = 600;

/** wrk prints a duration in the largest unit that fits. */
const SECONDS_PER_UNIT: Record<string, number> = { ms: 0.001, s: 1, m: 60 };

export interface MissFloodResult {
  requests: number;
  seconds: number;
  /** Answers other than 404 (errors and timeouts not counted): a miss flood should get none. */
  unexpected: number;
}

export interface MissFlood {
  /** wrk, for whoever must end it when the bench stops early. */
  readonly child: ChildProcess;
  /** Stops the flood and reports what it sent. */
  stop(): Promise<MissFloodResult>;
}

/** Starts requesting, from wrk, a module path never asked for before each time (missFlood.lua). */
export function startMissFlood(proxy: string): MissFlood {
  const wrk = spawn(
    'wrk',
    ['-t1', `-c${MISS_FLOOD_CONNECTIONS}`, `-d${MISS_FLOOD_MAX_SECONDS}s`, '--timeout', '10s', '-s', path.join(__dirname, 'missFlood.lua'), proxy, '--', String(MISS_FLOOD_PAUSE_MS)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  wrk.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  wrk.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    wrk.on('error', reject);
    wrk.on('exit', resolve);
  });
  exited.catch(() => undefined);
  return {
    child: wrk,
    async stop() {
      // wrk prints its summary on SIGINT as at the end of its time.
      wrk.kill('SIGINT');
      const code = await exited;
      const summary = /(\d+) requests in ([\d.]+)(ms|s|m)\b/.exec(out);
      const unexpected = /answers other than 404: (\d+)/.exec(out);
      if (code !== 0 || summary === null || unexpected === null) throw new Error(`the miss flood's wrk ended with code ${code}:\n${out}`);
      return { requests: Number(summary[1]), seconds: Number(summary[2]) * SECONDS_PER_UNIT[summary[3]!]!, unexpected: Number(unexpected[1]) };
    },
  };
}
