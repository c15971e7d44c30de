import { parseArgs } from 'node:util';
import { formatBytes } from '../../../shared/bundle/formatBytes';
import { HELD_BACK_TEXT, type DriveInfo, type DriveMount } from '../../core/drives/driveInfo';
import { listDrives } from '../../core/drives/listDrives';
import type { CommandOutput } from '../output';

export const drivesUsage = `modferry drives [--all] [--json]

List the drives the app offers for writing a bundle: removable or USB drives
that are mounted, writable, and neither the system drive nor a virtual device.
For each: label, mount point, file system, size, free space, and the volume
size a bundle written there gets (just under 4 GiB on FAT, else one volume).

  --all    also list the other drives, each with the reason it is held back
  --json   one JSON line: {"type":"drives","drives":[...]}`;

export async function drivesCommand(args: string[], output: CommandOutput): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { all: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });
  const drives = await listDrives();
  const offered = drives.filter((drive) => drive.offered);
  if (values.json) {
    output.out(JSON.stringify({ type: 'drives', drives: values.all ? drives : offered }));
    return 0;
  }
  if (offered.length === 0) output.out('No drive to offer: plug in a USB drive or SD card (--all lists the others)');
  else output.out('Offered for a bundle:');
  for (const drive of offered) output.out(`  ${describeOffered(drive)}`);
  const others = drives.filter((drive) => !drive.offered);
  if (values.all && others.length > 0) {
    output.out('Held back:');
    for (const drive of others) {
      const label = drive.label === drive.device ? '' : `  ${drive.label}`;
      output.out(`  ${drive.device}${label}${size(drive)}: ${HELD_BACK_TEXT[drive.heldBack!]}`);
    }
  }
  return 0;
}

function describeOffered(drive: DriveInfo): string {
  const mounts = drive.mounts.filter((mount) => !mount.readOnly).map(describeMount);
  return `${drive.label}  ${mounts.join('; ')}  (${drive.busType}, ${drive.device}${size(drive)})`;
}

function describeMount(mount: DriveMount): string {
  const free = mount.freeBytes === null ? 'free space unknown' : `${formatBytes(mount.freeBytes)} free`;
  const volumes = mount.volumeBytes === null ? 'one volume' : `volumes up to ${formatBytes(mount.volumeBytes)}`;
  return `${mount.path}  ${mount.fileSystem ?? 'file system unknown'}, ${free}, ${volumes}`;
}

function size(drive: DriveInfo): string {
  return drive.sizeBytes === null ? '' : `, ${formatBytes(drive.sizeBytes)}`;
}
