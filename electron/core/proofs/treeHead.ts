/**
 * A signed tree head as a checksum database writes it (golang.org/x/mod/sumdb/note over
 * tlog.FormatTree): `go.sum database tree\n<size>\n<base64 root hash>\n`, a blank line, then one
 * or more signature lines `— <key name> <base64 signature>`. Only the form is checked here: the
 * signature is the go command's to verify, with the key GOSUMDB names, which the offline side never has.
 */

export interface TreeHead {
  /** Records in the tree. */
  size: number;
  /** The root hash, base64 as the note writes it. */
  hash: string;
  /** Names of the keys that signed it. */
  signers: string[];
  /** The whole signed note, byte for byte as the database signed it. */
  note: string;
}

const TREE_TEXT = /^go\.sum database tree\n(0|[1-9]\d*)\n([A-Za-z0-9+/]{43}=)\n$/;
const SIGNATURE_LINE = /^\u2014 (\S+) [A-Za-z0-9+/]+=*$/;

/** The tree head in a signed note, or why the text is not one. */
export function parseTreeHead(note: string): TreeHead | string {
  const split = note.indexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return 'not a signed note (text, a blank line, signature lines)';
  const text = note.slice(0, split + 1);
  const match = TREE_TEXT.exec(text);
  if (match === null) return 'not a checksum database tree head (go.sum database tree, size, root hash)';
  const size = Number(match[1]);
  if (!Number.isSafeInteger(size)) return `tree size ${match[1] ?? ''} is out of range`;
  const signers: string[] = [];
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const signature = SIGNATURE_LINE.exec(line);
    if (signature === null) return `not a signature line: ${JSON.stringify(line.slice(0, 80))}`;
    signers.push(signature[1] ?? '');
  }
  return { size, hash: match[2] ?? '', signers, note };
}
