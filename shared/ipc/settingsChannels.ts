import { z } from 'zod';
import { settingsPatchSchema, type AppSettings, type SettingsProblem } from '../settings/appSettings';

export const settingsGetRequest = z.strictObject({});
/** Only the fields given change; null unsets side, upstream and storeDir. */
export const settingsSetRequest = settingsPatchSchema;

/** The saved settings, or the defaults standing in for a file that cannot be used (problem says why). */
export interface SettingsAnswer {
  file: string;
  settings: AppSettings;
  /** serveListen lets other machines in (a LAN address or every interface): the screen warns. */
  listensBeyondLoopback: boolean;
  problem: SettingsProblem | null;
}

export const activityRecentRequest = z.strictObject({
  /** How many exports and how many imports; 5 unless given. */
  limit: z.number().int('must be a whole number').min(1, 'must be 1 to 50').max(50, 'must be 1 to 50').optional(),
});

/** The start screen's recent activity, newest first: this machine's exports, and imports into its store. */
export interface RecentActivityAnswer {
  exports: Array<{ bundleId: string; createdAt: string; outDir: string; inputs: string[]; files: number; bytes: number; modules: number }>;
  imports: Array<{ bundleId: string; createdAt: string; importedAt: string; signer: string; files: number; bytes: number }>;
}
