import { create } from 'zustand';
import { errorMessage } from '../../../shared/errorMessage';
import type { SettingsAnswer } from '../../../shared/ipc/settingsChannels';
import type { SettingsDefaults } from '../../../shared/ipc/storeChannels';
import { settingsIssueCode, settingsPatchSchema, type SettingsPatch, type SettingsProblemCode } from '../../../shared/settings/appSettings';
import { client } from '../ipc/client';
import { upstreamProblemOf, type UpstreamProblem } from '../../../shared/goproxy/upstreamSetting';

/** The settings the screen edits one at a time, each with its own Save and its own refusal. */
export type EditedSetting = 'upstream' | 'storeDir' | 'serveListen' | 'toolchainPlatforms';
/** The choices saved as soon as they are made, from wherever they are made. */
export type ChoicePatch = Pick<SettingsPatch, 'language' | 'theme' | 'side'>;

export interface Refusal {
  error: unknown;
  /** Why, in the words of the rule that refused it (English). */
  reason: string;
  /** For the upstream list, what is wrong as a code the screen words in its language. */
  upstream?: UpstreamProblem;
  /** What the schema refused, as a code with the dotted field, for the screen to word. */
  coded?: { field: string; problem: SettingsProblemCode };
}

interface SettingsState {
  /** The settings as the data folder holds them, once read. */
  answer?: SettingsAnswer;
  defaults?: SettingsDefaults;
  loadError?: unknown;
  refused: Partial<Record<EditedSetting, Refusal>>;
  /** The setting last saved, for the screen to say so beside it. */
  saved?: EditedSetting;
  saving?: EditedSetting;
  /** A language, theme or side that could not be saved (it still holds on this page). */
  choiceError?: unknown;
  load(): Promise<SettingsAnswer | undefined>;
  save<F extends EditedSetting>(field: F, value: SettingsPatch[F]): Promise<boolean>;
  saveChoice(patch: ChoicePatch): Promise<void>;
}

/**
 * The reason a setting was refused. The channel checks with the same schema the screen can run, so
 * its rule's own words are at hand without reading the refusal's message; a refusal the schema does
 * not explain (a store folder holding other files) is shown as the app worded it.
 */
export function refusalReason<F extends EditedSetting>(field: F, value: SettingsPatch[F], error: unknown): string {
  const parsed = settingsPatchSchema.safeParse({ [field]: value });
  if (parsed.success) return errorMessage(error);
  return parsed.error.issues.map((issue) => [...issue.path.slice(1).map(String), issue.message].join(': ')).join('; ');
}

/** The first issue the schema finds with the value, as a code and the field it is about. */
export function refusalCode<F extends EditedSetting>(field: F, value: SettingsPatch[F]): { coded?: Refusal['coded'] } {
  const parsed = settingsPatchSchema.safeParse({ [field]: value });
  const issue = parsed.success ? undefined : parsed.error.issues[0];
  return issue === undefined ? {} : { coded: { field: issue.path.map(String).join('.'), problem: settingsIssueCode(issue) } };
}

function upstreamCode<F extends EditedSetting>(field: F, value: SettingsPatch[F]): { upstream?: UpstreamProblem } {
  const upstream = field === 'upstream' && typeof value === 'string' ? upstreamProblemOf(value) : undefined;
  return upstream === undefined ? {} : { upstream };
}

export const useSettingsStore = create<SettingsState>((set) => ({
  refused: {},
  load: async () => {
    try {
      const [answer, defaults] = await Promise.all([client.call('settings:get', {}), client.call('settings:defaults', {})]);
      set({ answer, defaults, loadError: undefined });
      return answer;
    } catch (error) {
      set({ loadError: error });
      return undefined;
    }
  },
  save: async (field, value) => {
    set((state) => ({ saving: field, saved: undefined, refused: { ...state.refused, [field]: undefined } }));
    try {
      const answer = await client.call('settings:set', { [field]: value } as SettingsPatch);
      set({ answer, saved: field, saving: undefined });
      return true;
    } catch (error) {
      set((state) => ({ saving: undefined, refused: { ...state.refused, [field]: { error, reason: refusalReason(field, value, error), ...upstreamCode(field, value), ...refusalCode(field, value) } } }));
      return false;
    }
  },
  saveChoice: async (patch) => {
    try {
      set({ answer: await client.call('settings:set', patch), choiceError: undefined });
    } catch (error) {
      set({ choiceError: error });
    }
  },
}));
