/**
 * The file a bundle folder holds while it is being written: it names ModFerry as the writer and the
 * process doing it (pid, host, boot), so a later export to the same drive can prove that a folder
 * without a manifest.json is the debris of a writer that is gone (killed, or a pulled power cord),
 * and remove it. It is written first and removed once manifest.json is on disk.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { WriterGone } from '../../../shared/export/planNotes';

export const WRITER_MARKER_FILE = '.modferry-writing.json';

export interface WriterMarker {
  tool: 'modferry';
  bundleId: string;
  pid: number;
  host: string;
  /** Linux's boot id; else the boot time to the minute. A different one means the writer's machine restarted since. */
  boot: string;
  startedAt: string;
}

export function thisWriter(bundleId: string): WriterMarker {
  return { tool: 'modferry', bundleId, pid: process.pid, host: os.hostname(), boot: bootId(), startedAt: new Date().toISOString() };
}

export async function readWriterMarker(file: string): Promise<WriterMarker | undefined> {
  try {
    const json = JSON.parse(await readFile(file, 'utf8')) as Partial<WriterMarker>;
    if (json.tool !== 'modferry' || typeof json.bundleId !== 'string' || !Number.isSafeInteger(json.pid) || typeof json.host !== 'string' || typeof json.boot !== 'string') return undefined;
    return json as WriterMarker;
  } catch {
    return undefined;
  }
}

/** Why the marker's writer is provably gone, or undefined when it may still be writing (or runs on another machine). */
export function writerGone(marker: WriterMarker, here: { host: string; boot: string; isRunning: (pid: number) => boolean }): WriterGone | undefined {
  if (marker.host !== here.host) return undefined;
  if (marker.boot !== here.boot) return { pid: marker.pid, host: here.host, gone: 'restarted' };
  if (!here.isRunning(marker.pid)) return { pid: marker.pid, host: here.host, gone: 'exited' };
  return undefined;
}

export function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return `boot@${Math.round((Date.now() / 1000 - os.uptime()) / 60)}`;
  }
}

/** Whether a process with this id exists (EPERM: it does, owned by someone else). */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
