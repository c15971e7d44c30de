/** What long work reports while it runs: the CLI prints it, the desktop app shows it, --json streams it. */
export interface ProgressEvent {
  /** A short machine-readable stage name, e.g. "resolve", "download", "verify", "write", "read-back". */
  stage: string;
  /** One line a person can read, in English, e.g. "downloading github.com/x/y@v1.2.3.zip". */
  message?: string;
  /** What the message is about, as named (a file, volume, module or project), for a screen that words the rest itself. */
  subject?: string;
  files?: number;
  totalFiles?: number;
  bytes?: number;
  totalBytes?: number;
}

export type ProgressListener = (event: ProgressEvent) => void;

export const ignoreProgress: ProgressListener = () => undefined;
