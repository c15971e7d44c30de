/**
 * A checksum database's verifier key (golang.org/x/mod/sumdb/note NewVerifier), as GOSUMDB names it:
 * `<name>+<8 hex digits of key hash>+<base64 of algorithm byte 1 and a 32-byte Ed25519 key>`, and the
 * check of a signed note against it.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { decodeBase64 } from '../../../shared/sumdb/base64';
import { isNoteName, type SignedNote } from '../../../shared/sumdb/treeNote';
import { ModFerryError } from '../errors/modferryError';

const ALG_ED25519 = 1;
// The DER prefix of an Ed25519 SubjectPublicKeyInfo: node:crypto takes raw keys only in that form.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface VerifierKey {
  /** The database name, e.g. `sum.golang.org`. */
  name: string;
  keyHash: number;
  /** The key as written, for messages and for the go command's GOSUMDB. */
  text: string;
  publicKey: KeyObject;
}

export function parseVerifierKey(text: string): VerifierKey {
  const [name = '', hashText = '', keyText = ''] = splitTwice(text);
  const key = decodeBase64(keyText);
  const bad = (why: string): ModFerryError => new ModFerryError('input', `checksum database key ${JSON.stringify(text)}: ${why}`);
  if (!isNoteName(name) || !/^[0-9a-fA-F]{8}$/.test(hashText) || key === undefined || key.length === 0) {
    throw bad('expected <name>+<8 hex digits>+<base64 key>, as GOSUMDB names a database');
  }
  const keyHash = Number.parseInt(hashText, 16);
  if (keyHash !== noteKeyHash(name, key)) throw bad('the key hash does not match the name and key (a mistyped key)');
  if (key[0] !== ALG_ED25519 || key.length !== 33) throw bad('not an Ed25519 key (algorithm 1, 32 bytes)');
  const publicKey = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, key.subarray(1)]), format: 'der', type: 'spki' });
  return { name, keyHash, text, publicKey };
}

/** note's keyHash: the first four bytes, big-endian, of SHA-256(name, "\n", algorithm byte and key). */
export function noteKeyHash(name: string, key: Uint8Array): number {
  return createHash('sha256').update(`${name}\n`).update(key).digest().readUInt32BE(0);
}

/**
 * As note.Open with this one key: the note must carry a signature by it, and that signature must be
 * valid; signatures by other keys are ignored. Throws a ModFerryError saying which.
 */
export function verifyNoteSignature(note: SignedNote, key: VerifierKey, where: { url?: string } = {}): void {
  const mine = note.signatures.filter((s) => s.name === key.name && s.keyHash === key.keyHash);
  if (mine.length === 0) {
    throw new ModFerryError('upstream', `checksum database ${key.name}: the signed tree head carries no signature by the key ${key.text}`, where);
  }
  for (const signature of mine) {
    if (!verify(null, Buffer.from(note.text, 'utf8'), key.publicKey, signature.signature)) {
      throw new ModFerryError('upstream', `checksum database ${key.name}: the signed tree head's signature is not valid for the key ${key.text} (forged or damaged)`, where);
    }
  }
}

function splitTwice(text: string): string[] {
  const first = text.indexOf('+');
  if (first < 0) return [text];
  const second = text.indexOf('+', first + 1);
  if (second < 0) return [text.slice(0, first), text.slice(first + 1)];
  return [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
}
