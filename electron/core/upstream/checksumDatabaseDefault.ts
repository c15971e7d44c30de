import { checksumDatabaseSetting, GosumdbError, type ChecksumDatabaseSetting } from '../../../shared/sumdb/checksumDatabaseSetting';
import { ModFerryError } from '../errors/modferryError';
import { parseVerifierKey } from '../sumdb/verifierKey';

/**
 * The checksum database an export fetches proofs from, read from GOSUMDB, GONOSUMDB and GOPRIVATE as
 * the go command reads them (unset GOSUMDB means sum.golang.org); undefined for GOSUMDB=off. The CLI
 * and the app read the environment here and hand the result to the export, which never reads it.
 * Checked at once, key hash included, so a mistyped key fails before any download.
 */
export function checksumDatabaseFromEnv(env: NodeJS.ProcessEnv): ChecksumDatabaseSetting | undefined {
  let setting: ChecksumDatabaseSetting | undefined;
  try {
    setting = checksumDatabaseSetting({ GOSUMDB: env.GOSUMDB, GONOSUMDB: env.GONOSUMDB, GOPRIVATE: env.GOPRIVATE });
  } catch (error) {
    if (error instanceof GosumdbError) throw new ModFerryError('input', error.message);
    throw error;
  }
  if (setting !== undefined) parseVerifierKey(setting.key);
  return setting;
}
