/**
 * A checksum database's answer to `lookup/<path>@<version>` (tlog.FormatRecord, ParseRecord):
 * the record id, the record's go.sum lines, a blank line and the signed tree head. A bundle carries
 * the record part alone (`<id>\n<lines>\n`): the signature covers only the head, so the offline
 * side may answer with any genuine head the record is proven against.
 */
import { hasControlCharacter, parseSignedTreeNote, type SignedTreeNote } from './treeNote';

export interface SumdbRecord {
  /** Position of the record in the log. */
  id: number;
  /** The go.sum lines, each ending in a newline: exactly the bytes the log's record hash covers. */
  text: string;
}

export interface LookupAnswer extends SumdbRecord {
  note: SignedTreeNote;
  /** The signed note as served: a bundle's `latest` when this lookup's head is the one kept. */
  noteText: string;
}

/** A lookup body or record that is not well formed; `reason` says what is wrong. */
export class LookupRecordError extends Error {
  override name = 'LookupRecordError';
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

export function parseLookupBody(body: string): LookupAnswer {
  const { id, text, rest } = splitRecord(body);
  return { id, text, note: parseSignedTreeNote(rest), noteText: rest };
}

/** A bundle's lookup entry: `<id>\n<go.sum lines>\n`, nothing after. */
export function parseRecordEntry(entry: string): SumdbRecord {
  const { id, text, rest } = splitRecord(`${entry}\n`);
  if (rest !== '') throw new LookupRecordError('a lookup record ends after its go.sum lines');
  return { id, text };
}

/** The bundle's lookup entry for a record; a lookup body is this, a newline and the signed head. */
export function formatRecordEntry(record: SumdbRecord): string {
  return `${record.id}\n${record.text}`;
}

/** The go.sum lines of a record, as `{ path, version, hash }` (version with `/go.mod` for the go.mod hash). */
export function recordGoSumLines(record: SumdbRecord): Array<{ path: string; version: string; hash: string }> {
  return record.text.slice(0, -1).split('\n').map((line) => {
    const fields = line.split(' ');
    if (fields.length !== 3 || fields.some((field) => field === '')) throw new LookupRecordError(`record ${record.id}: ${JSON.stringify(line)} is not a go.sum line`);
    return { path: fields[0]!, version: fields[1]!, hash: fields[2]! };
  });
}

function splitRecord(body: string): { id: number; text: string; rest: string } {
  const newline = body.indexOf('\n');
  const idText = newline < 0 ? '' : body.slice(0, newline);
  const id = Number(idText);
  if (!/^(0|[1-9][0-9]*)$/.test(idText) || !Number.isSafeInteger(id)) throw new LookupRecordError(`record id ${JSON.stringify(idText)} is not a whole number`);
  const after = body.slice(newline + 1);
  const blank = after.indexOf('\n\n');
  if (blank < 0) throw new LookupRecordError(`record ${id} has no blank line after its go.sum lines`);
  const text = after.slice(0, blank + 1);
  // tlog.isValidRecordText: printable text, no blank line, a final newline.
  if (text === '\n' || hasControlCharacter(text)) throw new LookupRecordError(`record ${id} is not valid record text`);
  return { id, text, rest: after.slice(blank + 2) };
}
