/**
 * What is mounted where, with which file system: drivelist gives mount points but not their file
 * system type or whether they are mounted read-only. Each platform's answer is parsed by a pure
 * function, tested against recorded output; reading it is one small call per platform.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

export interface MountEntry {
  /** What is mounted: a partition (/dev/sdb1, /dev/disk4s1), or empty where the platform does not say. */
  source: string;
  path: string;
  /** As the platform names it: vfat, exfat, ext4, msdos, FAT32, NTFS, fuse.fusefat... */
  fileSystem: string;
  readOnly: boolean;
}

/** Linux's /proc/self/mounts: `source path type options 0 0`, with spaces and the like escaped in octal. */
export function parseProcMounts(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [source, path, fileSystem, options] = line.split(' ');
    if (source === undefined || path === undefined || fileSystem === undefined || options === undefined) continue;
    entries.push({ source: unescapeOctal(source), path: unescapeOctal(path), fileSystem, readOnly: options.split(',').includes('ro') });
  }
  return entries;
}

function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** macOS's `mount`: `/dev/disk4s1 on /Volumes/NO NAME (msdos, local, nodev, nosuid, noowners)`. */
export function parseMacMount(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const match = /^(.*?) on (.*) \(([^()]*)\)$/.exec(line.trim());
    if (match === null) continue;
    const options = match[3]!.split(',').map((option) => option.trim());
    entries.push({ source: match[1]!, path: match[2]!, fileSystem: options[0] ?? '', readOnly: options.includes('read-only') });
  }
  return entries;
}

/** The PowerShell line that prints `E:<tab>FAT32` per drive letter (Windows has no mount table to read). */
export const WINDOWS_VOLUMES_SCRIPT = "Get-CimInstance Win32_LogicalDisk | ForEach-Object { $_.DeviceID + \"`t\" + $_.FileSystem }";

/** The output of WINDOWS_VOLUMES_SCRIPT; read-only media are told by drivelist instead. */
export function parseWindowsVolumes(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split(/\r?\n/)) {
    const [letter, fileSystem] = line.trim().split('\t');
    if (letter === undefined || !/^[A-Za-z]:$/.test(letter) || !fileSystem) continue;
    entries.push({ source: '', path: `${letter.toUpperCase()}\\`, fileSystem, readOnly: false });
  }
  return entries;
}

const run = promisify(execFile);
const TIMEOUT_MS = 5000;

export async function readMountTable(platform: NodeJS.Platform = process.platform): Promise<MountEntry[]> {
  if (platform === 'linux') return parseProcMounts(await readFile('/proc/self/mounts', 'utf8'));
  if (platform === 'darwin') return parseMacMount((await run('mount', [], { timeout: TIMEOUT_MS })).stdout);
  if (platform === 'win32') {
    const { stdout } = await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', WINDOWS_VOLUMES_SCRIPT], { timeout: TIMEOUT_MS, windowsHide: true });
    return parseWindowsVolumes(stdout);
  }
  return [];
}

/**
 * How deep a mount point is (its length, compared as the platform compares paths: Windows without
 * regard to case) when the folder (absolute, resolved) lies under it; undefined when it does not.
 * The deepest mount holding a folder is the one it is on.
 */
export function mountDepth(folder: string, mountPath: string, platform: NodeJS.Platform): number | undefined {
  const separator = platform === 'win32' ? '\\' : '/';
  const normal = (p: string): string => {
    const slashed = platform === 'win32' ? p.replaceAll('/', '\\').toLowerCase() : p;
    return slashed.endsWith(separator) ? slashed : `${slashed}${separator}`;
  };
  const mount = normal(mountPath);
  return normal(folder).startsWith(mount) ? mount.length : undefined;
}

/** The mount table's entry for the file system a folder is on. */
export function mountOfFolder(folder: string, entries: readonly MountEntry[], platform: NodeJS.Platform): MountEntry | undefined {
  let best: { entry: MountEntry; depth: number } | undefined;
  for (const entry of entries) {
    const depth = mountDepth(folder, entry.path, platform);
    // The later of two mounts on one path hides the earlier.
    if (depth !== undefined && (best === undefined || depth >= best.depth)) best = { entry, depth };
  }
  return best?.entry;
}
