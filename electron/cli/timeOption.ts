/**
 * A time given on the command line: an ISO 8601 date or time (`2026-03-01`, `2026-03-01T10:00:00Z`;
 * a time without a zone is local, a date alone is midnight UTC), or a span back from now (`90m`, `36h`, `7d`).
 */
import { UsageError } from './usageError';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const SPAN = /^(\d+)(m|h|d)$/;
const SPAN_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export const TIME_OPTION_HELP = 'an ISO 8601 date or time (2026-03-01, 2026-03-01T10:00:00Z) or a span back from now (90m, 36h, 7d)';

export function parseTimeOption(option: string, text: string, now: Date = new Date()): Date {
  const span = SPAN.exec(text);
  if (span !== null) return new Date(now.getTime() - Number(span[1]) * SPAN_MS[span[2] as keyof typeof SPAN_MS]);
  const time = ISO_TIME.test(text) ? new Date(text) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) {
    throw new UsageError(`${option}: "${text}" is not ${TIME_OPTION_HELP}`);
  }
  return time;
}
