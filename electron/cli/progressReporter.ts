import { formatBytes } from '../../shared/bundle/formatBytes';
import { RateWindow } from '../../shared/work/rateWindow';
import type { ProgressEvent, ProgressListener } from '../../shared/work/progress';
import type { CommandOutput } from './output';

export interface ProgressReporter {
  listener: ProgressListener;
  stop(): void;
}

/** How a stage is named to people; the machine name (JSON) stays short. */
const STAGE_LABELS: Readonly<Record<string, string>> = { prove: 'prove with go' };

/**
 * Shows long work on a terminal (one line, rewritten in place, a sign of life every second), in a log
 * or CI (a line per stage change, otherwise at most one every 10 s: a log is read later, by scrolling),
 * or as JSON lines (--json: a line per stage change, otherwise at most one a second).
 */
export function progressReporter(options: { json: boolean; write: (text: string) => void; isTty: boolean; now?: () => number }): ProgressReporter {
  const now = options.now ?? Date.now;
  const terminal = options.isTty && !options.json;
  const interval = terminal ? 200 : options.json ? 1000 : 10_000;
  const repeatAfter = terminal ? 1000 : 10_000;
  const started = now();
  const rates = new Map<string, RateWindow>();
  let last: ProgressEvent | undefined;
  let lastPrinted = 0;
  let lastStage = '';
  let stageStarted = now();

  const render = (event: ProgressEvent): string => {
    const window = rates.get(event.stage);
    const rate = window?.rate();
    const eta = window?.etaSeconds(event.totalBytes);
    if (options.json) {
      return JSON.stringify({ type: 'progress', ...event, rateBytesPerSecond: rate, etaSeconds: eta, elapsedSeconds: (now() - started) / 1000 });
    }
    const parts = [`[${STAGE_LABELS[event.stage] ?? event.stage}]`];
    if (event.totalFiles !== undefined) parts.push(`${event.files ?? 0}/${event.totalFiles} files`);
    if (event.bytes !== undefined) parts.push(event.totalBytes !== undefined ? `${formatBytes(event.bytes)}/${formatBytes(event.totalBytes)}` : formatBytes(event.bytes));
    if (rate !== undefined) parts.push(`${formatBytes(Math.round(rate))}/s`);
    if (eta !== undefined) parts.push(`ETA ${Math.ceil(eta)}s`);
    if (event.message) parts.push(event.message);
    const inStage = Math.floor((now() - stageStarted) / 1000);
    if (inStage >= 2) parts.push(`(${inStage}s)`);
    return parts.join(' ');
  };

  const print = (event: ProgressEvent, force: boolean) => {
    const at = now();
    const stageChanged = event.stage !== lastStage;
    if (stageChanged) stageStarted = at;
    if (!force && !stageChanged && at - lastPrinted < interval) return;
    lastPrinted = at;
    const line = render(event);
    if (terminal) {
      if (stageChanged && lastStage) options.write('\n');
      options.write(`\r\x1b[2K${line.slice(0, 160)}`);
    } else {
      options.write(`${line}\n`);
    }
    lastStage = event.stage;
  };

  const ticker = setInterval(() => {
    if (last && now() - lastPrinted >= repeatAfter) print(last, true);
  }, 1000);
  ticker.unref();

  return {
    listener: (event) => {
      if (event.bytes !== undefined) {
        const window = rates.get(event.stage) ?? new RateWindow();
        window.add(now(), event.bytes);
        rates.set(event.stage, window);
      }
      last = event;
      print(event, false);
    },
    stop: () => {
      clearInterval(ticker);
      if (terminal && lastStage) options.write('\n');
    },
  };
}

/** How a command shows its progress: JSON lines on stdout with --json, else on stderr (rewritten in place on a terminal). */
export function commandProgress(output: CommandOutput, json: boolean): ProgressReporter {
  const terminal = !json && Boolean(process.stderr.isTTY);
  const line = (print: (text: string) => void) => (text: string): void => print(text.replace(/\n$/, ''));
  return progressReporter({ json, isTty: terminal, write: json ? line(output.out) : terminal ? (text) => process.stderr.write(text) : line(output.err) });
}
