import type { ProgressEvent } from './progress';

/** A progress event as a screen shows it: with the transfer rate and time left, when they are known. */
export interface ProgressUpdate extends ProgressEvent {
  rateBytesPerSecond?: number;
  etaSeconds?: number;
  elapsedSeconds: number;
}
