/**
 * What an export would ship, worked out before anything is written: the review screen shows it and
 * runExport carries it out, so the two agree. Plain JSON data (it crosses IPC and comes back), with an
 * identity that runExport checks before trusting it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ModFerryError } from '../errors/modferryError';

import { EXPORT_PLAN_FORMAT, type ExportPlan, type PlanCounts, type PlannedFile, type PlannedModule, type PlanProofs } from '../../../shared/export/exportPlan';

export { EXPORT_PLAN_FORMAT };
export type { ExportPlan, PlanCounts, PlannedFile, PlannedModule, PlanProofs };

export function planIdentity(plan: Omit<ExportPlan, 'id'> & { id?: string }): string {
  // JSON leaves out undefined keys: the identity is that of the plan without its id.
  return createHash('sha256').update(JSON.stringify({ ...plan, id: undefined })).digest('hex');
}

export async function fileSha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** Throws unless the plan is one planExport made, unchanged, and its input files still say what they said then. */
export async function requireCurrentPlan(plan: ExportPlan): Promise<void> {
  if (plan.format !== EXPORT_PLAN_FORMAT) {
    throw new ModFerryError('input', `export plan format ${String(plan.format)} is not ${EXPORT_PLAN_FORMAT}: make the plan again`);
  }
  if (planIdentity(plan) !== plan.id) throw new ModFerryError('input', 'the export plan was changed after it was made: make the plan again');
  for (const { file, sha256 } of plan.inputFiles) {
    const now = await fileSha256(file).catch(() => undefined);
    if (now !== sha256) {
      throw new ModFerryError('input', now === undefined ? 'gone since the export was planned: make the plan again' : 'changed since the export was planned: make the plan again', { file });
    }
  }
}

/** Sums the files that match, counting each module version once. */
export function countFiles(modules: readonly PlannedModule[], matches: (file: PlannedFile) => boolean): PlanCounts {
  let files = 0;
  let bytes = 0;
  let count = 0;
  for (const m of modules) {
    const matching = m.files.filter(matches);
    if (matching.length > 0) count++;
    files += matching.length;
    bytes += matching.reduce((sum, f) => sum + f.size, 0);
  }
  return { modules: count, files, bytes };
}
