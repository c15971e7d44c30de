import { ERROR_KINDS, type ErrorKind, type ErrorProblem } from '../../../shared/errorRecord';
import { errorMessage } from '../../../shared/errorMessage';
import { IpcError } from '../../../shared/ipc/ipcError';
import type { MessageKey, Translate } from '../i18n/catalog';

/** The operator's sentence for each kind of failure: the compiler and a test insist that every kind has one. */
export const ERROR_MESSAGE_KEYS = {
  usage: 'errors.kind.usage',
  input: 'errors.kind.input',
  bundle: 'errors.kind.bundle',
  store: 'errors.kind.store',
  keys: 'errors.kind.keys',
  'not-found': 'errors.kind.not-found',
  upstream: 'errors.kind.upstream',
  unreachable: 'errors.kind.unreachable',
  resolve: 'errors.kind.resolve',
  zip: 'errors.kind.zip',
  'go-check': 'errors.kind.go-check',
  destination: 'errors.kind.destination',
  interrupted: 'errors.kind.interrupted',
  internal: 'errors.kind.internal',
} as const satisfies Readonly<Record<ErrorKind, MessageKey>>;

/** What is wrong, for the failures the core gives a problem code: the compiler and a test insist on each. */
export const ERROR_PROBLEM_KEYS = {
  'content-changed': 'errors.problem.content-changed',
  'size-changed': 'errors.problem.size-changed',
  'entry-missing': 'errors.problem.entry-missing',
  'not-a-volume': 'errors.problem.not-a-volume',
  'not-a-module-zip': 'errors.problem.not-a-module-zip',
  'manifest-invalid': 'errors.problem.manifest-invalid',
  'signature-invalid': 'errors.problem.signature-invalid',
  'signer-not-trusted': 'errors.problem.signer-not-trusted',
  'go-mod-not-tidy': 'errors.problem.go-mod-not-tidy',
  'store-folder-foreign': 'errors.problem.store-folder-foreign',
  'store-folder-is-file': 'errors.problem.store-folder-is-file',
  'store-folder-unreadable': 'errors.problem.store-folder-unreadable',
  'no-such-folder': 'errors.problem.no-such-folder',
  'not-enough-space': 'errors.problem.not-enough-space',
  'drive-full': 'errors.problem.drive-full',
  'drive-gone': 'errors.problem.drive-gone',
  'drive-read-only': 'errors.problem.drive-read-only',
  'drive-file-too-large': 'errors.problem.drive-file-too-large',
} as const satisfies Readonly<Record<ErrorProblem, MessageKey>>;

export type ErrorPlace = 'module' | 'file' | 'volume' | 'entry' | 'drive' | 'url' | 'fingerprint';

const PLACE_LABELS = {
  module: 'errors.field.module',
  file: 'errors.field.file',
  volume: 'errors.field.volume',
  entry: 'errors.field.entry',
  drive: 'errors.field.drive',
  url: 'errors.field.url',
  fingerprint: 'errors.field.fingerprint',
} as const satisfies Readonly<Record<ErrorPlace, MessageKey>>;

/** A failure as the error view shows it: a sentence in the operator's language, where it lies, and the core's own words. */
export interface ErrorText {
  kind: ErrorKind;
  summary: string;
  /** What is wrong, in the operator's language, when the core gave it as a code. */
  problem?: string;
  places: Array<{ place: ErrorPlace; label: string; value: string }>;
  /** The core's message, in English: for a search, a log or a support request. */
  detail: string;
  retryable: boolean;
}

/** The kind of anything thrown: an IpcError's own when the app knows it, else internal (a fault of the app itself). */
export function errorKindOf(error: unknown): ErrorKind {
  const kind = error instanceof IpcError ? error.kind : undefined;
  return (ERROR_KINDS as readonly string[]).includes(kind ?? '') ? (kind as ErrorKind) : 'internal';
}

export function errorText(error: unknown, t: Translate): ErrorText {
  const kind = errorKindOf(error);
  const fields = error instanceof IpcError ? error.fields : {};
  const joined = (first: string | undefined, separator: string, second: string | number | undefined): string | undefined =>
    first === undefined ? undefined : second === undefined ? first : `${first}${separator}${second}`;
  const values: Readonly<Record<ErrorPlace, string | undefined>> = {
    module: joined(fields.module, '@', fields.version),
    file: joined(fields.file, ':', fields.line),
    volume: fields.volume,
    entry: fields.entry,
    drive: fields.drive,
    url: fields.url,
    fingerprint: fields.fingerprint,
  };
  const places = (Object.keys(PLACE_LABELS) as ErrorPlace[]).flatMap((place) => {
    const value = values[place];
    return value === undefined ? [] : [{ place, label: t(PLACE_LABELS[place]), value }];
  });
  const problem = error instanceof IpcError ? error.problem : undefined;
  return {
    kind,
    summary: t(ERROR_MESSAGE_KEYS[kind]),
    ...(problem === undefined ? {} : { problem: t(ERROR_PROBLEM_KEYS[problem]) }),
    places,
    detail: errorMessage(error),
    retryable: error instanceof IpcError && error.retryable,
  };
}
