/**
 * A failure as data: what crosses a process boundary (the CLI's --json, the app's IPC, `modferry ui`'s
 * socket) so the far side can name the thing at fault without reading the message.
 */

/** Every kind of failure, so a screen's table of messages can be held to cover them all. */
export const ERROR_KINDS = ['usage', 'input', 'bundle', 'store', 'keys', 'not-found', 'upstream', 'unreachable', 'resolve', 'zip', 'go-check', 'destination', 'interrupted', 'internal'] as const;

/** What kind of failure, for --json consumers and for code that must tell failures apart without reading messages. */
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Where a fault lies, as far as it is known. */
export interface ErrorFields {
  module?: string;
  version?: string;
  url?: string;
  file?: string;
  line?: number;
  volume?: string;
  /** A file inside a volume or zip, as the archive names it. */
  entry?: string;
  /** The drive at fault, as the operator sees it: its mount point (`/media/usb`, `E:\`). */
  drive?: string;
  /** A signing key, as `SHA256:…`: the signer not trusted here, for the screen to show and ask about. */
  fingerprint?: string;
}

export const ERROR_FIELD_NAMES = ['module', 'version', 'url', 'file', 'line', 'volume', 'entry', 'drive', 'fingerprint'] as const;

/**
 * What is wrong, as a code a screen words in its own language: given where a failure is common enough
 * for an operator to need it said in their words (a damaged bundle, an untrusted signer).
 */
export const ERROR_PROBLEMS = [
  'content-changed', 'size-changed', 'entry-missing', 'not-a-volume', 'not-a-module-zip', 'manifest-invalid', 'signature-invalid', 'signer-not-trusted',
  'store-folder-foreign', 'store-folder-is-file', 'store-folder-unreadable', 'go-mod-not-tidy', 'no-such-folder',
  'not-enough-space', 'drive-full', 'drive-gone', 'drive-read-only', 'drive-file-too-large',
] as const;

export type ErrorProblem = (typeof ERROR_PROBLEMS)[number];

export function isErrorProblem(value: unknown): value is ErrorProblem {
  return (ERROR_PROBLEMS as readonly unknown[]).includes(value);
}

/** A thrown value as reported: its kind, its message for people, and where it lies. */
export type ErrorRecord = {
  type: 'error';
  kind: ErrorKind;
  message: string;
  problem?: ErrorProblem;
  /** The same work may succeed if simply run again (a drive replugged, space freed): a UI offers to. */
  retryable?: true;
} & ErrorFields;
