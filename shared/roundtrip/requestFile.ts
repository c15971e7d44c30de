/**
 * The request file closes the round trip: the offline store writes the modules developers asked for
 * but it lacked, and `modferry export --request FILE` fetches them online. It is plain text, one
 * `path@version` (or `path@latest`) a line, so an operator can read and edit it before carrying it over.
 * Lines `# sumdb <name> <size>` name the store's checksum-database tree heads: comments, so
 * readers that predate them read the requests as before.
 */
import { FileLineError } from '../fileLineError';
import { checkModulePath } from '../gomod/modulePath';
import { isCanonicalModuleVersion } from '../gomod/moduleVersion';
import { heldTreeHeadProblem, type HeldTreeHead } from './heldTreeHead';

export const requestFileHeader = '# modferry request v1';

export interface ModuleRequest {
  path: string;
  /** A canonical semantic version, or "latest". */
  version: string;
}

export interface RequestedModule extends ModuleRequest {
  count: number;
  firstSeen: string;
  lastSeen: string;
}

export interface ParsedRequest extends ModuleRequest {
  line: number;
}

/** What is wrong with a request file at its line, as a code with its parts, for a screen to word in its language. */
export type RequestFileProblem =
  | { code: 'not-a-request-file' }
  | { code: 'request-syntax'; text: string }
  | { code: 'request-path'; path: string }
  | { code: 'request-version'; path: string; version: string }
  | { code: 'request-head' };

export class RequestFileError extends FileLineError {
  override name = 'RequestFileError';

  constructor(
    file: string,
    line: number,
    reason: string,
    readonly problem: RequestFileProblem,
  ) {
    super(file, line, reason);
  }
}

/** Requests the offline proxy answered 404 but did not record, so the file cannot name them. */
export interface DroppedRequests {
  count: number;
  firstSeen: string;
  lastSeen: string;
  /** How many for each reason, in words: `1000 not a module path and version`. */
  reasons: string[];
}

export interface RequestFileMeta {
  createdAt: string;
  tool: string;
  /** The file names only requests seen since this time. */
  since?: string;
  dropped?: DroppedRequests;
  /** Every checksum-database tree head the store holds. */
  heads?: readonly HeldTreeHead[];
}

const headLine = /^#\s*sumdb\s+(.*)$/;

/** Comments only, so every reader of the format (`export --request` included) reads the requests as before. */
export function formatRequestFile(requests: readonly RequestedModule[], meta: RequestFileMeta): string {
  const { dropped } = meta;
  const lines = [
    requestFileHeader,
    '# Modules developers asked the offline proxy for that it did not hold.',
    '# Carry this file to the online side and run: modferry export --request <this file> --out <drive>',
    `# written ${meta.createdAt} by ${meta.tool}`,
    ...(meta.since === undefined ? [] : [`# requests seen since ${meta.since}`]),
    ...(dropped === undefined || dropped.count === 0
      ? []
      : [
          `# dropped: ${dropped.count} request${dropped.count === 1 ? ' was' : 's were'} answered but not recorded, so not named here ` +
            `(${dropped.reasons.join(', ')}), first ${dropped.firstSeen}, last ${dropped.lastSeen}`,
        ]),
    ...(meta.heads === undefined || meta.heads.length === 0
      ? []
      : ['# The store\'s checksum-database tree heads (the export adds the tiles proving its own head extends each):', ...meta.heads.map((h) => `# sumdb ${h.database} ${h.size}`)]),
    ...requests.map((r) => `${r.path}@${r.version}  # ${r.count} request${r.count === 1 ? '' : 's'}, first ${r.firstSeen}, last ${r.lastSeen}`),
  ];
  return lines.join('\n') + '\n';
}

export function parseRequestFile(text: string, fileName: string): ParsedRequest[] {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== requestFileHeader) {
    throw new RequestFileError(fileName, 1, `not a modferry request file (the first line must be "${requestFileHeader}")`, { code: 'not-a-request-file' });
  }
  const requests: ParsedRequest[] = [];
  const seen = new Set<string>();
  lines.forEach((raw, index) => {
    const text = raw.replace(/#.*$/, '').trim();
    if (text === '') return;
    const request = parseModuleRequest(text, fileName, index + 1);
    const key = `${request.path}@${request.version}`;
    if (!seen.has(key)) requests.push(request);
    seen.add(key);
  });
  return requests;
}

/** The `# sumdb <name> <size>` lines: the store's tree heads, each once. */
export function parseRequestHeads(text: string, fileName: string): HeldTreeHead[] {
  const heads = new Map<string, HeldTreeHead>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const match = headLine.exec(raw.trim());
    if (match === null) return;
    const fields = (match[1] ?? '').trim().split(/\s+/);
    const [database = '', sizeText = ''] = fields;
    const size = Number(sizeText);
    const problem = fields.length === 2
      ? heldTreeHeadProblem({ database, size: /^[0-9]+$/.test(sizeText) ? size : sizeText })
      : 'expected "# sumdb <database name> <tree size>"';
    if (problem !== undefined) throw new RequestFileError(fileName, index + 1, `checksum database head: ${problem}`, { code: 'request-head' });
    heads.set(`${database} ${size}`, { database, size });
  });
  return [...heads.values()];
}

/** One `path@version` or `path@latest`, checked by the go command's rules. */
export function parseModuleRequest(text: string, fileName: string, line: number): ParsedRequest {
  const at = text.lastIndexOf('@');
  if (at <= 0 || /\s/.test(text)) throw new RequestFileError(fileName, line, `"${text}": expected path@version or path@latest`, { code: 'request-syntax', text });
  const path = text.slice(0, at);
  const query = text.slice(at + 1);
  try {
    checkModulePath(path);
  } catch (error) {
    throw new RequestFileError(fileName, line, (error as Error).message, { code: 'request-path', path });
  }
  if (query === 'latest') return { path, version: 'latest', line };
  if (!isCanonicalModuleVersion(query)) {
    throw new RequestFileError(fileName, line, `${path}@${query}: version must be canonical, like v1.2.3, or "latest"`, { code: 'request-version', path, version: query });
  }
  return { path, version: query, line };
}

