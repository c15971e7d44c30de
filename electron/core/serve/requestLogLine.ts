/** The longest request target a log line repeats; longer ones are cut with an ellipsis. */
const MAX_TARGET_CHARS = 300;

export interface LoggedRequest {
  method: string;
  target: string;
  status: number;
  bytes: number;
  ms: number;
  /** Why the answer was not the usual one (a 500's cause, a client that went away). */
  note?: string;
}

/** `GET /github.com/!burnt!sushi/toml/@v/list 200 42B 3ms`: one line per request, whatever the client sent. */
export function requestLogLine(r: LoggedRequest): string {
  const line = `${escaped(r.method)} ${escaped(cut(r.target))} ${r.status} ${r.bytes}B ${Math.round(r.ms)}ms`;
  // The note may quote client input.
  // eslint-disable-next-line no-control-regex
  return r.note === undefined ? line : `${line} (${r.note.replace(/[\u0000-\u001f\u007f]+/g, ' ')})`;
}

/** A log line as `modferry serve` prints it: prefixed with the time the answer ended, in UTC. */
export function timestamped(line: string, at: number = Date.now()): string {
  return `${isoTime(at)} ${line}`;
}

// A busy server ends dozens of answers within one millisecond: their time is formatted once.
let lastTime = { ms: Number.NaN, iso: '' };

function isoTime(ms: number): string {
  if (ms !== lastTime.ms) lastTime = { ms, iso: new Date(ms).toISOString() };
  return lastTime.iso;
}

function cut(text: string): string {
  return text.length > MAX_TARGET_CHARS ? `${text.slice(0, MAX_TARGET_CHARS)}...` : text;
}

// A request target is client input: control characters and spaces would forge or split log lines.
function escaped(text: string): string {
  if (PRINTABLE.test(text)) return text;
  return text.replace(/[^\u0021-\u007e]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

const PRINTABLE = /^[\u0021-\u007e]*$/;
