/** A module zip the go command would refuse, or one that cannot be read at all. */
export class ModuleZipError extends Error {
  override name = 'ModuleZipError';
  readonly file: string;
  /** The entry at fault, as named in the zip; absent when the fault is the zip as a whole. */
  readonly entry?: string;
  readonly reason: string;

  constructor(file: string, reason: string, entry?: string, options?: ErrorOptions) {
    super(entry === undefined ? `${file}: ${reason}` : `${file}: ${printable(entry)}: ${reason}`, options);
    this.file = file;
    this.reason = reason;
    if (entry !== undefined) this.entry = entry;
  }
}

// Entry names come from the zip: a newline or other control character must not break the one-line message.
function printable(name: string): string {
  return /\p{Cc}/u.test(name) ? JSON.stringify(name) : name;
}

const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
};

/** Any failure while reading a zip, as one line naming the zip (and the entry, when there is one). */
export function toModuleZipError(file: string, error: unknown, entry?: string): ModuleZipError {
  if (error instanceof ModuleZipError) return error;
  const { code, syscall, message } = (error ?? {}) as NodeJS.ErrnoException;
  if (syscall !== undefined) {
    return new ModuleZipError(file, (code !== undefined ? FILE_ERRORS[code] : undefined) ?? message, entry, { cause: error });
  }
  const what = entry === undefined ? 'not a valid zip file' : 'corrupt entry';
  return new ModuleZipError(file, `${what}: ${message ?? String(error)}`, entry, { cause: error });
}

/** An abort stops a read; it says nothing about the zip, so it is passed on as it is, never as a ModuleZipError. */
export function isAbortError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'AbortError';
}
