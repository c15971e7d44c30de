import { errorMessage } from '../../../shared/errorMessage';
/**
 * A version's `.info` file as the go command reads it from a proxy: a JSON object whose
 * `Version` is the version asked for (go refuses "info for version X instead of requested
 * version") and whose `Time` is an RFC 3339 time. A stored .info that is empty, HTML from a
 * failed download or names another version makes go fail on that module, so none is imported.
 *
 * Two .info files for one version can differ in layout or in extra fields (`Origin`, which
 * newer proxies add) and still say the same: for import they are the same file.
 */

/** Far above any real .info (a few hundred bytes with an Origin), far below what would cost memory. */
export const MAX_INFO_BYTES = 64 * 1024;

export interface InfoFile {
  version: string;
  /** `Time` as written, and the instant it names, to compare two files by. */
  time: string;
  instant: { seconds: number; nanos: number };
}

/** Why an .info file is not one the go command would accept for its version. */
export class InfoFileError extends Error {
  override name = 'InfoFileError';
}

export function readInfoFile(bytes: Uint8Array, version: string): InfoFile {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new InfoFileError(`not JSON (${errorMessage(error)})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InfoFileError('not a JSON object');
  const { Version, Time } = json as { Version?: unknown; Time?: unknown };
  if (Version === undefined) throw new InfoFileError('Version is missing');
  if (typeof Version !== 'string') throw new InfoFileError('Version is not a string');
  if (Version !== version) throw new InfoFileError(`Version is ${JSON.stringify(Version)}, the file is for ${version}`);
  if (Time === undefined) throw new InfoFileError('Time is missing');
  const instant = typeof Time === 'string' ? parseRfc3339(Time) : undefined;
  if (typeof Time !== 'string' || instant === undefined) throw new InfoFileError(`Time ${JSON.stringify(Time)} is not an RFC 3339 time`);
  return { version: Version, time: Time, instant };
}

/** Whether two valid .info files say the same: one version, one instant. */
export function sameInfo(a: InfoFile, b: InfoFile): boolean {
  return a.version === b.version && a.instant.seconds === b.instant.seconds && a.instant.nanos === b.instant.nanos;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** As Go's time.Parse(time.RFC3339, ...): fields in range, a fraction of up to nine digits, Z or an offset. */
function parseRfc3339(text: string): { seconds: number; nanos: number } | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const [sign, offsetHours, offsetMinutes] = [m[8], Number(m[9] ?? 0), Number(m[10] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
  return { seconds: date.getTime() / 1000 - offset, nanos: Number((m[7] ?? '').padEnd(9, '0')) };
}

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}
