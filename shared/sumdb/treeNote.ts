/**
 * Signed notes (golang.org/x/mod/sumdb/note) and the tree heads checksum databases sign with
 * them (tlog.ParseTree): `go.sum database tree\n<size>\n<base64 root hash>\n`, a blank line, and
 * signature lines `— <name> <base64 of 4-byte key hash and signature>`. Parsing only: the
 * signatures are checked in core, against a key the operator trusts.
 */
import { decodeBase64, encodeBase64 } from './base64';
import { HASH_BYTES } from './tiles';

const TREE_PREFIX = 'go.sum database tree\n';
const SIGNATURE_PREFIX = '\u2014 ';
/** note.Open refuses notes with more signatures; so do we. */
const MAX_SIGNATURES = 100;
const MAX_NOTE_CHARS = 1_000_000;

export interface NoteSignature {
  /** The signer's name, e.g. `sum.golang.org`. */
  name: string;
  /** The first four bytes of SHA-256(name, "\n", key), big-endian: which key of that name signed. */
  keyHash: number;
  /** The signature itself, key hash removed. */
  signature: Uint8Array;
}

export interface SignedNote {
  /** The signed text, final newline included: exactly the bytes the signatures cover. */
  text: string;
  signatures: NoteSignature[];
}

export interface TreeHead {
  /** Number of records in the tree. */
  size: number;
  /** The root hash, 32 bytes. */
  hash: Uint8Array;
}

export interface SignedTreeNote extends SignedNote, TreeHead {}

/** A note or tree head that is not well formed; `reason` says what is wrong. */
export class TreeNoteError extends Error {
  override name = 'TreeNoteError';
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

/** note.Open without the verification: the text and its signature lines. */
export function parseSignedNote(message: string): SignedNote {
  if (message.length > MAX_NOTE_CHARS) throw new TreeNoteError('signed note too large');
  // Invalid UTF-8 is the caller's to refuse (a fatal TextDecoder): by here it is already text.
  if (hasControlCharacter(message)) throw new TreeNoteError('signed note holds control characters');
  const split = message.lastIndexOf('\n\n');
  if (split < 0) throw new TreeNoteError('signed note has no blank line before its signatures');
  const text = message.slice(0, split + 1);
  const signatureText = message.slice(split + 2);
  if (signatureText === '' || !signatureText.endsWith('\n')) throw new TreeNoteError('signed note has no signature lines ending in a newline');
  const signatures = signatureText.slice(0, -1).split('\n').map(parseSignatureLine);
  if (signatures.length > MAX_SIGNATURES) throw new TreeNoteError(`signed note has more than ${MAX_SIGNATURES} signatures`);
  return { text, signatures };
}

/** tlog.ParseTree: the size and root hash of a tree-head note text. */
export function parseTreeHead(text: string): TreeHead {
  if (!text.startsWith(TREE_PREFIX)) throw new TreeNoteError(`not a tree head: does not start with ${JSON.stringify(TREE_PREFIX)}`);
  const lines = text.split('\n');
  if (lines.length < 4) throw new TreeNoteError('tree head is missing its size or hash line');
  const sizeText = lines[1]!;
  const size = Number(sizeText);
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(size)) throw new TreeNoteError(`tree size ${JSON.stringify(sizeText)} is not a whole number`);
  const hash = decodeBase64(lines[2]!);
  if (hash === undefined || hash.length !== HASH_BYTES) throw new TreeNoteError(`tree hash ${JSON.stringify(lines[2])} is not the base64 of ${HASH_BYTES} bytes`);
  return { size, hash };
}

/** A signed tree head as a database serves it (`latest`, or the end of a lookup). */
export function parseSignedTreeNote(message: string): SignedTreeNote {
  const note = parseSignedNote(message);
  return { ...note, ...parseTreeHead(note.text) };
}

/** The tree-head text a database signs for a tree (tlog.FormatTree). */
export function formatTreeHead(head: TreeHead): string {
  return `${TREE_PREFIX}${head.size}\n${encodeBase64(head.hash)}\n`;
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) throw new TreeNoteError(`signature line ${JSON.stringify(line)} does not start with "— "`);
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  const encoded = space < 0 ? '' : rest.slice(space + 1);
  const bytes = decodeBase64(encoded);
  if (!isNoteName(name) || encoded === '' || bytes === undefined || bytes.length < 5) throw new TreeNoteError(`malformed signature line ${JSON.stringify(line)}`);
  const keyHash = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  return { name, keyHash, signature: bytes.slice(4) };
}

/** note's isValidName: non-empty, no white space, no `+`. */
export function isNoteName(name: string): boolean {
  return name !== '' && !/[\s+]/u.test(name);
}

/** Whether text holds a control character other than newline: note.Open and tlog refuse those. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x0a) return true;
  }
  return false;
}
