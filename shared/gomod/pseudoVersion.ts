/**
 * Pseudo-versions: the versions the go command invents for untagged commits (golang.org/x/mod/module).
 *
 * They come in three shapes, each optionally followed by build metadata such as '+incompatible':
 *   vX.0.0-yyyymmddhhmmss-abcdefabcdef        no earlier tag: sorts below every tagged vX version
 *   vX.Y.(Z+1)-0.yyyymmddhhmmss-abcdefabcdef  after release vX.Y.Z: sorts below any vX.Y.(Z+1) prerelease
 *   vX.Y.Z-pre.0.yyyymmddhhmmss-abcdefabcdef  after prerelease vX.Y.Z-pre: sorts just above it
 */
import { build, isValid, prerelease } from './semver';

/** Thrown for a string that is not a pseudo-version, or whose parts do not make sense. */
export class InvalidPseudoVersionError extends Error {
  constructor(
    readonly version: string,
    readonly reason: string,
  ) {
    super(`pseudo-version ${JSON.stringify(version)} invalid: ${reason}`);
    this.name = 'InvalidPseudoVersionError';
  }
}

const timestamp = String.raw`\d{14}`;
const revision = String.raw`[A-Za-z0-9]+`;
const buildMetadata = String.raw`(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?`;
const noBaseStem = String.raw`v\d+\.0\.0-`;
/** Either a prerelease base followed by '.0.', or a bumped patch followed by '-0.'. */
const withBaseStem = String.raw`v\d+\.\d+\.\d+-(?:[^+]*\.)?0\.`;
const pseudoVersionShape = new RegExp(`^(?:${noBaseStem}|${withBaseStem})${timestamp}-${revision}${buildMetadata}$`);

/** Reports whether v is a pseudo-version of any of the three shapes (with or without build metadata). */
export function isPseudoVersion(v: string): boolean {
  return v.split('-').length > 2 && isValid(v) && pseudoVersionShape.test(v);
}

/** Reports whether v is a valid version carrying the '+incompatible' build suffix. */
export function isIncompatible(v: string): boolean {
  return build(v) === '+incompatible';
}

interface PseudoVersionParts {
  /** 'vX.0.0', 'vX.Y.(Z+1)-0' or 'vX.Y.Z-pre.0'. */
  stem: string;
  timestamp: string;
  rev: string;
  build: string;
}

function splitPseudoVersion(v: string): PseudoVersionParts {
  if (!isPseudoVersion(v)) throw new InvalidPseudoVersionError(v, 'syntax error');
  const buildSuffix = build(v);
  const withoutBuild = v.slice(0, v.length - buildSuffix.length);
  const revDash = withoutBuild.lastIndexOf('-');
  const rev = withoutBuild.slice(revDash + 1);
  const beforeRev = withoutBuild.slice(0, revDash);
  // The timestamp follows the last '.' in the '-0.' and '.0.' shapes, and the last '-' in the vX.0.0 shape.
  const separator = Math.max(beforeRev.lastIndexOf('.'), beforeRev.lastIndexOf('-'));
  return {
    stem: beforeRev.slice(0, separator),
    timestamp: beforeRev.slice(separator + 1),
    rev,
    build: buildSuffix,
  };
}

/**
 * The version the pseudo-version was derived from: 'vX.Y.Z' for the '-0.' shape, 'vX.Y.Z-pre' for the
 * '.0.' shape (each keeping v's build metadata, so '+incompatible' carries over), and '' for vX.0.0-….
 */
export function pseudoVersionBase(v: string): string {
  const { stem, build: buildSuffix } = splitPseudoVersion(v);
  const pre = prerelease(stem);

  if (pre === '') {
    // '+incompatible' says the base tag's major version disagrees with the module path, yet vX.0.0-… says
    // there is no base tag; the go command rejects the contradiction rather than guess.
    if (buildSuffix !== '') {
      throw new InvalidPseudoVersionError(v, `lacks base version, but has build metadata ${JSON.stringify(buildSuffix)}`);
    }
    return '';
  }

  if (pre === '-0') {
    const bumped = stem.slice(0, stem.length - pre.length);
    const patchStart = bumped.lastIndexOf('.') + 1;
    const patch = BigInt(bumped.slice(patchStart));
    if (patch === 0n) {
      throw new InvalidPseudoVersionError(v, `version before ${bumped} would have negative patch number`);
    }
    return `${bumped.slice(0, patchStart)}${patch - 1n}${buildSuffix}`;
  }

  return stem.slice(0, stem.length - '.0'.length) + buildSuffix;
}

/** The 14-digit UTC commit timestamp, yyyymmddhhmmss; throws when v is not a pseudo-version or the time is impossible. */
export function pseudoVersionTime(v: string): string {
  const stamp = splitPseudoVersion(v).timestamp;
  timestampToDate(v, stamp);
  return stamp;
}

/** The commit time, in UTC, recorded in the pseudo-version. */
export function pseudoVersionDate(v: string): Date {
  return timestampToDate(v, splitPseudoVersion(v).timestamp);
}

/** The revision identifier (usually a 12-character commit hash prefix). */
export function pseudoVersionRev(v: string): string {
  return splitPseudoVersion(v).rev;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Validates the fields the way Go's time.Parse does, instead of letting Date roll 31 April into 1 May. */
function timestampToDate(v: string, stamp: string): Date {
  const field = (start: number, length: number) => Number(stamp.slice(start, start + length));
  const year = field(0, 4);
  const month = field(4, 2);
  const day = field(6, 2);
  const hour = field(8, 2);
  const minute = field(10, 2);
  const second = field(12, 2);
  const valid =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59;
  if (!valid) throw new InvalidPseudoVersionError(v, `malformed time ${JSON.stringify(stamp)}`);
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date;
}
