/**
 * Safe eject once a bundle is written and read back: every file system of the drive unmounted (its
 * caches flushed) and the drive powered off, with the platform's own tool. Which commands run is a
 * pure choice, and so is the plain sentence a failure becomes.
 */
import { execFile } from 'node:child_process';
import { ModFerryError } from '../errors/modferryError';
import { driveName, type DriveInfo } from './driveInfo';
import { listDrives } from './listDrives';

export interface EjectStep {
  command: string;
  args: string[];
}

/**
 * Windows has no command-line eject; the shell's own Eject verb is what Explorer runs. The verb does not
 * report failure, so the script checks the drive letter is gone: exit 3 when there was no such drive,
 * 4 when it is still there (in use).
 */
export function windowsEjectScript(letter: string): string {
  const drive = letter.replace(/[\\:]+$/, '').toUpperCase();
  if (!/^[A-Z]$/.test(drive)) throw new Error(`not a drive letter: ${letter}`);
  return [
    `$item = (New-Object -ComObject Shell.Application).NameSpace(17).ParseName('${drive}:')`,
    'if ($null -eq $item) { exit 3 }',
    "$item.InvokeVerb('Eject')",
    `for ($i = 0; $i -lt 20 -and (Test-Path '${drive}:\\'); $i++) { Start-Sleep -Milliseconds 250 }`,
    `if (Test-Path '${drive}:\\') { exit 4 }`,
  ].join('; ');
}

export function ejectPlan(drive: Pick<DriveInfo, 'device' | 'mounts'>, platform: NodeJS.Platform): EjectStep[] {
  if (platform === 'linux') {
    const partitions = [...new Set(drive.mounts.map((mount) => mount.device ?? drive.device))];
    return [
      ...partitions.map((device) => ({ command: 'udisksctl', args: ['unmount', '-b', device] })),
      { command: 'udisksctl', args: ['power-off', '-b', drive.device] },
    ];
  }
  if (platform === 'darwin') return [{ command: 'diskutil', args: ['eject', drive.device] }];
  if (platform === 'win32') {
    const letter = drive.mounts[0]?.path;
    if (letter === undefined) throw driveError(`${drive.device} has no drive letter to eject`, drive.device);
    return [{ command: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-Command', windowsEjectScript(letter)] }];
  }
  throw driveError(`ejecting ${drive.device} is not supported on ${platform}`, drive.device);
}

export interface StepFailure {
  /** The spawn error's code (ENOENT: no such command), when the command did not run. */
  spawnCode?: string;
  exitCode?: number | null;
  stderr: string;
}

/** The sentence an operator reads when a step fails, naming the drive by the name they know it by. */
export function ejectFailureReason(name: string, step: EjectStep, failure: StepFailure): string {
  const text = failure.stderr.trim();
  if (failure.spawnCode === 'ENOENT') {
    const hint = step.command === 'udisksctl' ? ' (it comes with udisks2)' : '';
    return `cannot eject ${name}: ${step.command} is not installed${hint}; eject it from the file manager instead`;
  }
  if (failure.spawnCode === 'ETIMEDOUT') return `ejecting ${name} did not finish in time: close the files open on ${name}, then eject again`;
  const windowsCode = step.command === 'powershell.exe' ? failure.exitCode : undefined;
  if (windowsCode === 4 || /busy|in use|dissent|EBUSY/i.test(text)) {
    return `${name} is in use: close the files open on ${name} (and any window showing it), then eject again`;
  }
  if (windowsCode === 3 || /not found|no such|looking up object|does not exist|unable to find/i.test(text)) {
    return `${name} is no longer there: it was already ejected or unplugged`;
  }
  if (/NotAuthorized|not authori[sz]ed|permission denied|not permitted/i.test(text)) {
    return `not allowed to eject ${name}: this user may not unmount it; eject it from the file manager instead`;
  }
  const detail = text.split('\n').find((line) => line.trim() !== '')?.trim() ?? `exit code ${failure.exitCode ?? 'unknown'}`;
  return `ejecting ${name} failed: ${detail}`;
}

const STEP_TIMEOUT_MS = 30_000;

/** Runs the steps in order; the first failure stops, as a destination error naming the drive, retryable. */
export async function runEjectSteps(name: string, steps: readonly EjectStep[], timeoutMs = STEP_TIMEOUT_MS): Promise<void> {
  for (const step of steps) {
    const failure = await runStep(step, timeoutMs);
    if (failure !== undefined) {
      throw driveError(ejectFailureReason(name, step, failure), name, true);
    }
  }
}

export async function ejectDrive(drive: DriveInfo, platform: NodeJS.Platform = process.platform): Promise<void> {
  await runEjectSteps(driveName(drive, platform), ejectPlan(drive, platform));
}

/**
 * Ejects the drive listed now under this device: what a UI asks by name, so the mount points and
 * partitions handed to the platform's tools come from this machine's listing, never from the asker.
 */
export async function ejectDevice(device: string): Promise<void> {
  const drive = (await listDrives()).find((listed) => listed.device === device);
  if (drive === undefined) throw driveError(`${device} is no longer there: it was already ejected or unplugged`, device);
  await ejectDrive(drive);
}

function runStep(step: EjectStep, timeoutMs: number): Promise<StepFailure | undefined> {
  return new Promise((resolve) => {
    execFile(step.command, step.args, { timeout: timeoutMs, windowsHide: true }, (error, _stdout, stderr) => {
      if (error === null) return resolve(undefined);
      const code = (error as NodeJS.ErrnoException).code;
      const timedOut = error.killed && error.signal === 'SIGTERM';
      resolve({
        ...(typeof code === 'string' ? { spawnCode: code } : {}),
        ...(timedOut ? { spawnCode: 'ETIMEDOUT' } : {}),
        exitCode: typeof code === 'number' ? code : null,
        stderr: `${stderr}`,
      });
    });
  });
}

/** Every reason here names the drive in its sentence: the usual drive prefix would name it twice. */
function driveError(reason: string, drive: string, retryable = false): ModFerryError {
  return new ModFerryError('destination', reason, { drive }, { message: reason, retryable });
}
