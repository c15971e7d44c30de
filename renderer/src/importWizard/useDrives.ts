import { useEffect, useState } from 'react';
import type { DriveAnswer } from '../../../shared/ipc/drivesChannel';
import { client } from '../ipc/client';

/**
 * The drives an operator may have plugged in, kept up to date while the component shows: a drive
 * plugged in appears within seconds. Bundles are read from read-only drives too; the system disk and
 * RAM disks are left out (a folder there is typed by hand). Undefined until the first listing.
 */
export function useDrives(): DriveAnswer[] | undefined {
  const [drives, setDrives] = useState<DriveAnswer[] | undefined>(undefined);
  useEffect(() => {
    const watch = client.startJob('drives:watch', { all: true }, (listed) => setDrives(listed.filter((drive) => !drive.virtual && !drive.system && drive.mounts.length > 0)));
    // Ends when cancelled below, or when listing fails: then no drive is offered and the folder is typed.
    watch.result.catch(() => setDrives((shown) => shown ?? []));
    return () => {
      void watch.cancel().catch(() => undefined);
    };
  }, []);
  return drives;
}
