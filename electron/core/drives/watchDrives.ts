/**
 * Keeps the app's drive list current as drives are plugged and unplugged. No platform tells Node of
 * it portably, so drivelist is polled; only a change in what is plugged or mounted is described
 * (mount table, free space) and reported, so a quiet machine costs one listing per interval.
 */
import { list } from 'drivelist';
import { errorMessage } from '../../../shared/errorMessage';
import type { DescribedDrive, DriveInfo } from './driveInfo';
import { listDrives } from './listDrives';

/** A change shows within this plus the time a listing takes: under the 2 s an operator waits. */
export const DRIVE_POLL_MS = 1500;

export interface DriveWatchOptions {
  intervalMs?: number;
  /** Told each failure to list or describe the drives once, until a listing succeeds again. */
  onError?: (error: unknown) => void;
  listRaw?: () => Promise<readonly DescribedDrive[]>;
  describe?: (drives: readonly DescribedDrive[]) => Promise<DriveInfo[]>;
}

export interface DriveWatch {
  stop(): void;
}

/** Reports the drives at once, then after every change, until stopped. */
export function watchDrives(onChange: (drives: DriveInfo[]) => void, options: DriveWatchOptions = {}): DriveWatch {
  const intervalMs = options.intervalMs ?? DRIVE_POLL_MS;
  const listRaw = options.listRaw ?? list;
  const describe = options.describe ?? ((drives) => listDrives(Promise.resolve(drives)));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastKey: string | undefined;
  let lastError: string | undefined;

  const poll = async (): Promise<void> => {
    try {
      const raw = await listRaw();
      const key = layoutKey(raw);
      if (key !== lastKey) {
        const described = await describe(raw);
        if (stopped) return;
        lastKey = key;
        onChange(described);
      }
      lastError = undefined;
    } catch (error) {
      const message = errorMessage(error);
      if (!stopped && message !== lastError) options.onError?.(error);
      lastError = message;
    }
  };
  const loop = (): void => {
    void poll().finally(() => {
      if (!stopped) timer = setTimeout(loop, intervalMs);
    });
  };
  loop();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** What a replug, a mount or a write-protect switch changes; not free space, which changes while writing. */
function layoutKey(drives: readonly DescribedDrive[]): string {
  return JSON.stringify(drives.map((d) => [d.device, d.size, d.isReadOnly, d.mountpoints.map((m) => m.path)]));
}
