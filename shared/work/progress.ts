/** What long work reports while it runs: the CLI prints it, the desktop app shows it, --json streams it. */
export interface ProgressEvent {
  /** A short machine-readable stage name, e.g. "resolve", "download", "verify", "write", "read-back". */
  stage: string;
  /** One line a person can read, e.g. "downloading github.com/x/y@v1.2.3.zip". */
  message?: string;
  files?: number;
  totalFiles?: number;
  bytes?: number;
  totalBytes?: number;
}

export type ProgressListener = (event: ProgressEvent) => void;

export const ignoreProgress: ProgressListener = () => undefined;
