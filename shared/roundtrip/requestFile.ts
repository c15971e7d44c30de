/**
 * The request file closes the round trip: the offline store writes the modules developers asked for
 * but it lacked, and `modferry export --request FILE` fetches them online. It is plain text, one
 * `path@version` (or `path@latest`) a line, so an operator can read and edit it before carrying it over.
 */
import { FileLineError } from '../fileLineError';
import { checkModulePath } from '../gomod/modulePath';
import { isCanonicalModuleVersion } from '../gomod/moduleVersion';

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

export class RequestFileError extends FileLineError {
  override name = 'RequestFileError';
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
}

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
    ...requests.map((r) => `${r.path}@${r.version}  # ${r.count} request${r.count === 1 ? '' : 's'}, first ${r.firstSeen}, last ${r.lastSeen}`),
  ];
  return lines.join('\n') + '\n';
}

export function parseRequestFile(text: string, fileName: string): ParsedRequest[] {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== requestFileHeader) {
    throw new RequestFileError(fileName, 1, `not a modferry request file (the first line must be "${requestFileHeader}")`);
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

/** One `path@version` or `path@latest`, checked by the go command's rules. */
export function parseModuleRequest(text: string, fileName: string, line: number): ParsedRequest {
  const at = text.lastIndexOf('@');
  if (at <= 0 || /\s/.test(text)) throw new RequestFileError(fileName, line, `"${text}": expected path@version or path@latest`);
  const path = text.slice(0, at);
  const query = text.slice(at + 1);
  try {
    checkModulePath(path);
  } catch (error) {
    throw new RequestFileError(fileName, line, (error as Error).message);
  }
  if (query === 'latest') return { path, version: 'latest', line };
  if (!isCanonicalModuleVersion(query)) {
    throw new RequestFileError(fileName, line, `${path}@${query}: version must be canonical, like v1.2.3, or "latest"`);
  }
  return { path, version: query, line };
}

