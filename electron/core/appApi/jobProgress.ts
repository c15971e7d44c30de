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
