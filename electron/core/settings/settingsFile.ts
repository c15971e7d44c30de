/**
 * The app's settings in the data folder (settings.json). A file that cannot be read as settings (not
 * JSON, a field hand-edited to something invalid) is never overwritten: the defaults are used and the
 * problem is reported naming the file and the field; the next change moves the file aside first, to
 * settings.json.invalid-TIME beside it, so what the operator wrote is kept.
 */
import { mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../../../shared/errorMessage';
import { appSettingsSchema, DEFAULT_SETTINGS, settingsPatchSchema, type AppSettings, type SettingsPatch, settingsIssueCode, type SettingsProblem } from '../../../shared/settings/appSettings';
import type { AppDirs } from '../appDirs/appDirs';
import { ModFerryError } from '../errors/modferryError';
import { writeFileDurably } from '../fsutil/durableFile';
import { requireStoreFolderChoice } from './storeDirSetting';

export const SETTINGS_FILE = 'settings.json';

export interface LoadedSettings {
  file: string;
  settings: AppSettings;
  /** Set when the file could not be used and the defaults stand in for it. */
  problem?: SettingsProblem;
}

export function settingsFile(dirs: AppDirs): string {
  return path.join(dirs.data, SETTINGS_FILE);
}

// One change at a time per file: two windows saving at once must not lose either change.
const pending = new Map<string, Promise<unknown>>();

/**
 * The settings, or the defaults when there is no file yet or it cannot be used (see problem). A change
 * asked for before this read is still being written (a page reloaded just after a choice) is waited
 * for, so what was asked first is what is read.
 */
export async function readSettings(dirs: AppDirs): Promise<LoadedSettings> {
  const file = settingsFile(dirs);
  await pending.get(file)?.catch(() => undefined);
  return readSettingsFile(file);
}

async function readSettingsFile(file: string): Promise<LoadedSettings> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { file, settings: DEFAULT_SETTINGS };
    return { file, settings: DEFAULT_SETTINGS, problem: { file, reason: `cannot be read (${errorMessage(error)})`, coded: { code: 'unreadable' } } };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { file, settings: DEFAULT_SETTINGS, problem: { file, reason: `is not JSON (${errorMessage(error)})`, coded: { code: 'not-json' } } };
  }
  // Fields a newer or older file leaves out take their defaults; only what is there is judged.
  const parsed = appSettingsSchema.safeParse(typeof json === 'object' && json !== null && !Array.isArray(json) ? { ...DEFAULT_SETTINGS, ...json } : json);
  if (parsed.success) return { file, settings: parsed.data };
  const [issue] = parsed.error.issues;
  const field = issue?.path.join('.') ?? '';
  return {
    file,
    settings: DEFAULT_SETTINGS,
    problem: { file, ...(field === '' ? {} : { field }), reason: issue?.message ?? 'is not valid settings', coded: issue === undefined ? { code: 'invalid' } : settingsIssueCode(issue) },
  };
}


/**
 * Applies a change to the saved settings and answers them all. The change is checked first: a bad
 * field is refused naming it, and nothing is written.
 */
export async function updateSettings(dirs: AppDirs, patch: SettingsPatch): Promise<LoadedSettings> {
  const checked = settingsPatchSchema.safeParse(patch);
  if (!checked.success) {
    const [issue] = checked.error.issues;
    throw new ModFerryError('input', `setting ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'is not valid'}`);
  }
  if (checked.data.storeDir) requireStoreFolderChoice(checked.data.storeDir);
  const file = settingsFile(dirs);
  const previous = pending.get(file) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => saveChange(dirs, checked.data));
  pending.set(file, next);
  try {
    return await next;
  } finally {
    if (pending.get(file) === next) pending.delete(file);
  }
}

async function saveChange(dirs: AppDirs, patch: SettingsPatch): Promise<LoadedSettings> {
  const current = await readSettingsFile(settingsFile(dirs));
  let problem = current.problem;
  if (problem !== undefined) {
    const keptAs = `${current.file}.invalid-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(current.file, keptAs);
      problem = { ...problem, keptAs };
    } catch (error) {
      // A file that cannot be read may not be movable either; it must not be overwritten then.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new ModFerryError('input', `the settings file cannot be used (${problem.reason}) nor moved aside (${errorMessage(error)}); fix or remove it`, { file: current.file }, { cause: error });
      }
    }
  }
  const settings: AppSettings = { ...current.settings, ...patch };
  await mkdir(dirs.data, { recursive: true });
  // Owner only: an upstream URL may carry a proxy password.
  await writeFileDurably(current.file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  return { file: current.file, settings, ...(problem === undefined ? {} : { problem }) };
}
