import { errorMessage } from '../../../shared/errorMessage';
import { ERROR_FIELD_NAMES as FIELD_NAMES, type ErrorFields, type ErrorKind, type ErrorProblem, type ErrorRecord } from '../../../shared/errorRecord';

export type { ErrorFields, ErrorKind, ErrorProblem, ErrorRecord };

/**
 * A failure with its kind and where it lies kept as fields: callers decide by `kind` and the fields,
 * never by reading the message, which is for people only.
 */
export class ModFerryError extends Error {
  override name = 'ModFerryError';
  readonly kind: ErrorKind;
  /** The problem alone, without where it lies. */
  readonly reason: string;
  readonly fields: Readonly<ErrorFields>;
  /** The same work may succeed if simply run again (a drive replugged or swapped, space freed); a UI offers to. */
  readonly retryable: boolean;
  /** What is wrong, as a code, where a screen words it itself. */
  readonly problem?: ErrorProblem;

  constructor(kind: ErrorKind, reason: string, fields: ErrorFields = {}, options?: ErrorOptions & { message?: string; retryable?: boolean; problem?: ErrorProblem }) {
    super(options?.message ?? located(reason, fields), options);
    this.kind = kind;
    this.reason = reason;
    this.fields = definedFields(fields);
    this.retryable = options?.retryable ?? false;
    if (options?.problem !== undefined) this.problem = options.problem;
  }
}

/**
 * `drive: file:line: module@version: reason`, with whatever of those is known. A reason that names
 * its drive in words ("the drive at /media/usb is full") is not prefixed with it again.
 */
function located(reason: string, fields: ErrorFields): string {
  const file = fields.file === undefined ? undefined : fields.line === undefined ? fields.file : `${fields.file}:${fields.line}`;
  const module = fields.module === undefined ? undefined : fields.version === undefined ? fields.module : `${fields.module}@${fields.version}`;
  const drive = fields.drive !== undefined && !reason.includes(fields.drive) ? fields.drive : undefined;
  return [drive, file, fields.url, fields.volume, fields.entry, module, reason].filter((part) => part !== undefined).join(': ');
}

function definedFields(fields: ErrorFields): ErrorFields {
  const out: Record<string, unknown> = {};
  for (const name of FIELD_NAMES) if (fields[name] !== undefined) out[name] = fields[name];
  return out as ErrorFields;
}

// Errors made before this module, or in layers that cannot import it, by their class name.
const KIND_BY_NAME: Readonly<Record<string, ErrorKind>> = {
  UsageError: 'usage',
  ModuleNotFoundError: 'not-found',
  UpstreamError: 'upstream',
  UnreachableError: 'unreachable',
  ProxySettingError: 'input',
  GoproxyError: 'input',
  ResolveError: 'resolve',
  ModuleZipError: 'zip',
  GoCheckError: 'go-check',
  GoSumMismatchError: 'input',
  CacheAnsweredError: 'upstream',
  DestinationError: 'destination',
  ExportInterruptedError: 'interrupted',
  NothingToExportError: 'input',
  UnmetRequestsError: 'input',
  StoreFolderError: 'store',
  StoreLockedError: 'store',
  CatalogError: 'store',
  ImportConflictError: 'store',
  RepairBundleError: 'bundle',
  NoSigningKeyError: 'keys',
  SignatureError: 'bundle',
  ManifestError: 'bundle',
  CacheInUseError: 'input',
  GoModSyntaxError: 'input',
  GoSumSyntaxError: 'input',
  RequestFileError: 'input',
  InventoryError: 'input',
  FileLineError: 'input',
  VolumePlanError: 'input',
};

/** The kind of any thrown value: its own when it has one, else by its class, else `internal`. */
export function errorKind(error: unknown): ErrorKind {
  if (error instanceof ModFerryError) return error.kind;
  if (error instanceof Error) {
    const byName = KIND_BY_NAME[error.name] ?? KIND_BY_NAME[error.constructor.name];
    if (byName !== undefined) return byName;
    const { code, syscall } = error as NodeJS.ErrnoException;
    if (code?.startsWith('ERR_PARSE_ARGS')) return 'usage';
    if (syscall !== undefined) return 'input';
  }
  return 'internal';
}

/** Where a thrown value says the fault lies: its own fields, then those of its causes for what it does not say. */
export function errorFields(error: unknown): ErrorFields {
  const out: Record<string, unknown> = {};
  for (let at: unknown = error, depth = 0; at instanceof Error && depth < 5; at = at.cause, depth++) {
    const source = (at instanceof ModFerryError ? at.fields : at) as Record<string, unknown>;
    for (const name of FIELD_NAMES) {
      const value = source[name];
      if (out[name] === undefined && (typeof value === 'string' || typeof value === 'number')) out[name] = value;
    }
    // The upstream errors and file-system errors name the module or file as `path`.
    const { path, syscall } = at as Error & { path?: unknown; syscall?: string };
    if (typeof path === 'string') out[syscall === undefined ? 'module' : 'file'] ??= path;
  }
  return out as ErrorFields;
}

/** A thrown value as --json reports it: one object with its kind, message and fields. */
export function errorRecord(error: unknown): ErrorRecord {
  const retryable = error instanceof ModFerryError && error.retryable ? { retryable: true as const } : {};
  const problem = errorProblem(error);
  return { type: 'error', kind: errorKind(error), message: errorMessage(error), ...(problem === undefined ? {} : { problem }), ...errorFields(error), ...retryable };
}

/** The problem code of a thrown value or of the first of its causes that has one. */
export function errorProblem(error: unknown): ErrorProblem | undefined {
  for (let at: unknown = error, depth = 0; at instanceof Error && depth < 5; at = at.cause, depth++) {
    if (at instanceof ModFerryError && at.problem !== undefined) return at.problem;
  }
  return undefined;
}
