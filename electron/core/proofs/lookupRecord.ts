/**
 * A lookup record as a bundle carries it: the part of the checksum database's lookup answer before
 * the tree head, `<record id>\n<go.sum lines>\n`. The offline proxy serves it followed by a blank
 * line and a tree head it holds the tiles to prove it with.
 */

export interface LookupRecord {
  /** The record's position in the database's log. */
  id: number;
  /** The go.sum lines, each `path version h1:…` or `path version/go.mod h1:…`. */
  lines: string[];
}

const RECORD_ID = /^(0|[1-9]\d*)$/;

/** The record, or why it is not one for `modulePath@version`. */
export function parseLookupRecord(text: string, modulePath: string, version: string): LookupRecord | string {
  if (!text.endsWith('\n')) return 'a lookup record ends with a newline';
  const [idLine = '', ...lines] = text.slice(0, -1).split('\n');
  if (!RECORD_ID.test(idLine) || !Number.isSafeInteger(Number(idLine))) return `the first line is not a record id: ${JSON.stringify(idLine.slice(0, 40))}`;
  if (lines.length === 0) return 'the record holds no go.sum line';
  for (const line of lines) {
    const fields = line.split(' ');
    if (fields.length !== 3 || fields[0] !== modulePath || (fields[1] !== version && fields[1] !== `${version}/go.mod`) || !fields[2]?.startsWith('h1:')) {
      return `not a go.sum line for ${modulePath}@${version}: ${JSON.stringify(line.slice(0, 120))}`;
    }
  }
  return { id: Number(idLine), lines };
}

/** The id on a record's first line, from a record already checked on import. */
export function recordIdOf(text: string): number {
  return Number(text.slice(0, text.indexOf('\n')));
}
