/**
 * Semantic versions exactly as the go command reads them (golang.org/x/mod/semver).
 *
 * Go's dialect differs from semver.org in two ways: the leading "v" is required, and the shorthands
 * vMAJOR and vMAJOR.MINOR (with no prerelease or build suffix) stand for vMAJOR.0.0 and vMAJOR.MINOR.0.
 * Every function here answers what the go command would answer, including for invalid input, because
 * module proxies and go.sum files are keyed by these exact strings.
 */

interface ParsedVersion {
  major: string;
  minor: string;
  patch: string;
  /** What a shorthand lacks to be a full vMAJOR.MINOR.PATCH: '.0.0', '.0' or ''. */
  missing: string;
  /** With its leading '-', or ''. */
  prerelease: string;
  /** With its leading '+', or ''. */
  build: string;
}

/** A run of decimal digits at the start of text, or undefined when there is none or it has a leading zero. */
function leadingNumber(text: string): string | undefined {
  const digits = /^[0-9]+/.exec(text)?.[0];
  if (digits === undefined || (digits.length > 1 && digits.startsWith('0'))) return undefined;
  return digits;
}

const identifier = /^[0-9A-Za-z-]+$/;

function isNumeric(ident: string): boolean {
  return /^[0-9]*$/.test(ident);
}

/** semver.org forbids leading zeros in numeric prerelease identifiers, but allows them in build metadata. */
function isValidPrereleaseIdentifier(ident: string): boolean {
  return identifier.test(ident) && !(isNumeric(ident) && ident.length > 1 && ident.startsWith('0'));
}

function isValidBuildIdentifier(ident: string): boolean {
  return identifier.test(ident);
}

function parse(v: string): ParsedVersion | undefined {
  if (!v.startsWith('v')) return undefined;
  let rest = v.slice(1);

  const major = leadingNumber(rest);
  if (major === undefined) return undefined;
  rest = rest.slice(major.length);
  if (rest === '') return { major, minor: '0', patch: '0', missing: '.0.0', prerelease: '', build: '' };
  if (!rest.startsWith('.')) return undefined;
  rest = rest.slice(1);

  const minor = leadingNumber(rest);
  if (minor === undefined) return undefined;
  rest = rest.slice(minor.length);
  if (rest === '') return { major, minor, patch: '0', missing: '.0', prerelease: '', build: '' };
  if (!rest.startsWith('.')) return undefined;
  rest = rest.slice(1);

  const patch = leadingNumber(rest);
  if (patch === undefined) return undefined;
  rest = rest.slice(patch.length);

  let prerelease = '';
  if (rest.startsWith('-')) {
    const end = rest.indexOf('+');
    prerelease = end < 0 ? rest : rest.slice(0, end);
    if (!prerelease.slice(1).split('.').every(isValidPrereleaseIdentifier)) return undefined;
    rest = rest.slice(prerelease.length);
  }

  let build = '';
  if (rest.startsWith('+')) {
    build = rest;
    if (!build.slice(1).split('.').every(isValidBuildIdentifier)) return undefined;
    rest = '';
  }

  if (rest !== '') return undefined;
  return { major, minor, patch, missing: '', prerelease, build };
}

/** Reports whether v is a valid semantic version in Go's dialect. */
export function isValid(v: string): boolean {
  return parse(v) !== undefined;
}

/**
 * The canonical form of v: shorthands filled in to vMAJOR.MINOR.PATCH and build metadata dropped
 * (including '+incompatible', exactly as semver.Canonical does). '' when v is invalid.
 */
export function canonical(v: string): string {
  const p = parse(v);
  if (p === undefined) return '';
  if (p.build !== '') return v.slice(0, v.length - p.build.length);
  return v + p.missing;
}

/** The major version prefix, e.g. 'v2' for 'v2.1.0'. '' when v is invalid. */
export function major(v: string): string {
  const p = parse(v);
  if (p === undefined) return '';
  return `v${p.major}`;
}

/** The major.minor prefix, e.g. 'v2.1' for 'v2.1.0' and 'v2.0' for 'v2'. '' when v is invalid. */
export function majorMinor(v: string): string {
  const p = parse(v);
  if (p === undefined) return '';
  return `v${p.major}.${p.minor}`;
}

/** The prerelease suffix with its '-', e.g. '-pre' for 'v2.1.0-pre+meta'. '' when absent or v is invalid. */
export function prerelease(v: string): string {
  return parse(v)?.prerelease ?? '';
}

/** The build suffix with its '+', e.g. '+meta' for 'v2.1.0+meta'. '' when absent or v is invalid. */
export function build(v: string): string {
  return parse(v)?.build ?? '';
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Numbers without leading zeros order by length first, so arbitrarily large ones compare exactly. */
function compareDecimal(x: string, y: string): number {
  if (x.length !== y.length) return sign(x.length - y.length);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Orders strings by Unicode code point, which is the byte order of their UTF-8 encoding and so the
 * order Go's string comparison uses; JavaScript's own `<` compares UTF-16 code units, which differs
 * for characters outside the Basic Multilingual Plane.
 */
function compareCodePoints(x: string, y: string): number {
  const xs = Array.from(x, (c) => c.codePointAt(0) ?? 0);
  const ys = Array.from(y, (c) => c.codePointAt(0) ?? 0);
  const shared = Math.min(xs.length, ys.length);
  for (let i = 0; i < shared; i++) {
    const diff = (xs[i] ?? 0) - (ys[i] ?? 0);
    if (diff !== 0) return sign(diff);
  }
  return sign(xs.length - ys.length);
}

/** semver.org precedence rule 11: numeric identifiers sort first, numerically; others in ASCII order. */
function compareIdentifiers(x: string, y: string): number {
  if (x === y) return 0;
  const xNumeric = isNumeric(x);
  const yNumeric = isNumeric(y);
  if (xNumeric !== yNumeric) return xNumeric ? -1 : 1;
  if (xNumeric) return compareDecimal(x, y);
  return x < y ? -1 : 1;
}

/** A release outranks its prereleases; a longer identifier list outranks its own prefix. */
function comparePrerelease(x: string, y: string): number {
  if (x === y) return 0;
  if (x === '') return 1;
  if (y === '') return -1;
  const xs = x.slice(1).split('.');
  const ys = y.slice(1).split('.');
  const shared = Math.min(xs.length, ys.length);
  for (let i = 0; i < shared; i++) {
    const c = compareIdentifiers(xs[i] ?? '', ys[i] ?? '');
    if (c !== 0) return c;
  }
  return sign(xs.length - ys.length);
}

/**
 * Compares by semantic version precedence: -1, 0 or 1. Build metadata is ignored. Invalid versions
 * sort below every valid one and compare equal to each other.
 */
export function compare(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (pa === undefined && pb === undefined) return 0;
  if (pa === undefined) return -1;
  if (pb === undefined) return 1;
  return (
    compareDecimal(pa.major, pb.major) ||
    compareDecimal(pa.minor, pb.minor) ||
    compareDecimal(pa.patch, pb.patch) ||
    comparePrerelease(pa.prerelease, pb.prerelease)
  );
}

/** The greater of the two, canonicalized (so '' when both are invalid), as the deprecated semver.Max. */
export function max(a: string, b: string): string {
  const ca = canonical(a);
  const cb = canonical(b);
  return compare(ca, cb) > 0 ? ca : cb;
}

/**
 * A sorted copy, lowest first, in semver.Sort order: by precedence, then by string so that equal-precedence
 * spellings (v1.2 and v1.2.0, or differing build metadata) always land in the same order.
 */
export function sortVersions(vs: readonly string[]): string[] {
  return [...vs].sort((a, b) => compare(a, b) || compareCodePoints(a, b));
}
