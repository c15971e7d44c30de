import type { ProgressEvent, ProgressListener } from '../../../shared/work/progress';
import { ProgressMeter } from '../../../shared/work/progressMeter';
import { ProgressThrottle } from '../../../shared/work/progressThrottle';
import type { ProgressUpdate } from '../../../shared/work/progressUpdate';

const TICK_MS = 100;

export interface JobProgress {
  listener: ProgressListener;
  stop(): void;
}

/**
 * A job's progress as a screen receives it: at most ten updates a second however fast the work
 * reports, and the last one again every 2 s when it reports nothing, with the rate recomputed so a
 * stall shows as a falling rate.
 */
export function jobProgress(send: (update: ProgressUpdate) => void, now: () => number = Date.now): JobProgress {
  const throttle = new ProgressThrottle<ProgressEvent>();
  const meter = new ProgressMeter(now());
  const emit = (event: ProgressEvent | undefined, at: number): void => {
    if (event !== undefined) send(meter.update(event, at));
  };
  const timer = setInterval(() => {
    const at = now();
    emit(throttle.due(at), at);
  }, TICK_MS);
  timer.unref();
  return {
    listener: (event) => {
      const at = now();
      emit(throttle.offer(event, at), at);
    },
    stop: () => clearInterval(timer),
  };
}

export interface JobReports<T> {
  report(value: T): void;
  /** Sends what is held back at once (before the job's answer), and stops the timer. */
  stop(): void;
}

/**
 * At most ten sends a second for progress that is not work under way: each value is merged into
 * what is held (the newest drive list replaces the last; a request joins the batch) and the merge
 * goes out once the interval has passed, so nothing is lost but what a newer value replaces.
 */
export function thinnedReports<T, Held>(merge: (held: Held | undefined, value: T) => Held, send: (held: Held) => void, now: () => number = Date.now): JobReports<T> {
  let held: { value: Held } | undefined;
  let lastSentAt: number | undefined;
  const flush = (): void => {
    if (held === undefined) return;
    const { value } = held;
    held = undefined;
    lastSentAt = now();
    send(value);
  };
  const timer = setInterval(() => {
    if (lastSentAt !== undefined && now() - lastSentAt >= TICK_MS) flush();
  }, TICK_MS);
  timer.unref();
  return {
    report: (value) => {
      held = { value: merge(held?.value, value) };
      if (lastSentAt === undefined || now() - lastSentAt >= TICK_MS) flush();
    },
    stop: () => {
      clearInterval(timer);
      flush();
    },
  };
}

/** Only the newest state counts. */
export function latestReports<T>(send: (state: T) => void, now?: () => number): JobReports<T> {
  return thinnedReports<T, T>((_held, value) => value, send, now);
}

/** Every item arrives, those that came within one interval together. */
export function batchedReports<T>(send: (items: T[]) => void, now?: () => number): JobReports<T> {
  return thinnedReports<T, T[]>((held, value) => {
    const items = held ?? [];
    items.push(value);
    return items;
  }, send, now);
}
