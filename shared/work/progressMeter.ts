import type { ProgressEvent } from './progress';
import type { ProgressUpdate } from './progressUpdate';
import { RateWindow } from './rateWindow';

/** Adds the rate, time left and time taken to progress events, a rate window per stage. */
export class ProgressMeter {
  private readonly windows = new Map<string, RateWindow>();

  constructor(private readonly startedAt: number) {}

  /** Feed it only the events that are sent (a few a second): each is a sample of the rate. */
  update(event: ProgressEvent, now: number): ProgressUpdate {
    const window = this.windows.get(event.stage) ?? new RateWindow();
    this.windows.set(event.stage, window);
    if (event.bytes !== undefined) window.add(now, event.bytes);
    const rate = window.rate();
    const eta = window.etaSeconds(event.totalBytes);
    return {
      ...event,
      ...(rate === undefined ? {} : { rateBytesPerSecond: rate }),
      ...(eta === undefined ? {} : { etaSeconds: eta }),
      elapsedSeconds: (now - this.startedAt) / 1000,
    };
  }
}
