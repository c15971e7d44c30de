/**
 * The app's settings, as the settings file holds them and the settings channels answer them. The
 * schema is the one check: the file is read through it, and every change is.
 */
import { z } from 'zod';
import { upstreamProblem } from '../goproxy/upstreamSetting';
import { platformProblem } from '../gomod/goPlatforms';

// Same rule as the IPC paths: the app runs from no working folder a relative path could mean.
const ABSOLUTE = /^(\/|[A-Za-z]:[\\/]|\\\\)/;

const upstream = z.string().superRefine((value, context) => {
  const problem = upstreamProblem(value);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

export const listenSchema = z.strictObject({
  host: z.string().min(1, 'is empty').max(253, 'is too long').regex(/^[A-Za-z0-9.:-]+$/, 'must be a host name, or an IPv4 or IPv6 address'),
  port: z.number().int('must be a whole number').min(0, 'must be 0 to 65535').max(65535, 'must be 0 to 65535'),
});

const platform = z.string().superRefine((value, context) => {
  const problem = platformProblem(value);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: `${value}: ${problem}` });
});

/** goos/goarch pairs to carry Go toolchains for, each one the go command builds for. */
export const toolchainPlatformList = z.array(platform).min(1, 'is empty: name at least one goos/goarch, or unset it');

const fields = {
  /** Which side of the air gap this machine is; null until the operator says. */
  side: z.enum(['online', 'offline']).nullable(),
  /** The GOPROXY list to export from; null: GOPROXY from the environment. */
  upstream: upstream.nullable(),
  /** The offline store; null: the one in the data folder. */
  storeDir: z.string().min(1, 'is empty').regex(ABSOLUTE, 'must be an absolute path (e.g. /srv/modferry-store or D:\\store)').nullable(),
  /** The goos/goarch pairs an export carries Go toolchains for; null: the exporting machine's own. */
  toolchainPlatforms: toolchainPlatformList.nullable(),
  /** Where serve listens. */
  serveListen: listenSchema,
  language: z.enum(['system', 'en', 'zh-CN']),
  theme: z.enum(['system', 'light', 'dark']),
};

export const appSettingsSchema = z.strictObject(fields);
/** A change: only the fields given change (null unsets those that may be unset). */
export const settingsPatchSchema = z.strictObject(fields).partial();

export type AppSettings = z.infer<typeof appSettingsSchema>;
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

/** What is wrong with the settings file, as a code with its parts, for a screen to word in its language. */
export type SettingsProblemCode =
  | { code: 'unreadable' }
  | { code: 'not-json' }
  | { code: 'unknown-fields'; keys: string[] }
  | { code: 'wrong-type'; expected: string }
  | { code: 'too-small'; minimum: number }
  | { code: 'too-large'; maximum: number }
  | { code: 'empty' }
  | { code: 'not-one-of'; values: string[] }
  /** A rule of the field's own (a GOPROXY list, a platform, an absolute path): `reason` has its words. */
  | { code: 'invalid' };

/** A schema issue as a code a screen can word; a field's own rules (formats, custom checks) stay `invalid`, their words in the issue's message. */
export function settingsIssueCode(issue: z.core.$ZodIssue): SettingsProblemCode {
  switch (issue.code) {
    case 'unrecognized_keys':
      return { code: 'unknown-fields', keys: issue.keys };
    case 'invalid_type':
      return { code: 'wrong-type', expected: issue.expected };
    case 'too_small':
      return issue.origin === 'number' ? { code: 'too-small', minimum: Number(issue.minimum) } : { code: 'empty' };
    case 'too_big':
      return issue.origin === 'number' ? { code: 'too-large', maximum: Number(issue.maximum) } : { code: 'invalid' };
    case 'invalid_value':
      return { code: 'not-one-of', values: issue.values.map(String) };
    default:
      return { code: 'invalid' };
  }
}

/** Why the settings file could not be used, so the defaults stand in. */
export interface SettingsProblem {
  file: string;
  /** The field at fault, dotted (serveListen.port); absent when the file as a whole cannot be read. */
  field?: string;
  /** In English, as the CLI says it. */
  reason: string;
  coded: SettingsProblemCode;
  /** Where the file was moved aside when a change was saved over it. */
  keptAs?: string;
}

export const DEFAULT_SETTINGS: AppSettings = {
  side: null,
  upstream: null,
  storeDir: null,
  toolchainPlatforms: null,
  serveListen: { host: '127.0.0.1', port: 3000 },
  language: 'system',
  theme: 'system',
};

/**
 * Whether serve would listen beyond this machine (a LAN address, or every interface): other machines
 * can then read the store, so the screen warns.
 */
export function listensBeyondLoopback(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return false;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return false;
  return name !== '::1' && name !== '0:0:0:0:0:0:0:1';
}
