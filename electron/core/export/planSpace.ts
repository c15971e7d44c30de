import { escapePath, escapeVersion } from '../../../shared/gomod/modulePath';
import type { ExportPlan } from './exportPlan';
import { bundleSpaceEstimate } from './exportSpace';

/**
 * The room a plan's bundle takes on a drive, before its tree is staged: each shipped file under its
 * tree path, and a version list per module path. The run checks again with the staged tree.
 */
export function planSpaceEstimate(plan: Pick<ExportPlan, 'modules' | 'listed'>): number {
  const files: Array<{ path: string; size: number }> = [];
  const listBytes = new Map<string, number>();
  for (const module of [...plan.modules, ...plan.listed]) {
    listBytes.set(module.path, (listBytes.get(module.path) ?? 0) + module.version.length + 1);
  }
  for (const module of plan.modules) {
    const at = `${escapePath(module.path)}/@v/${escapeVersion(module.version)}`;
    for (const file of module.files) if (!file.heldOffline) files.push({ path: `${at}.${file.kind}`, size: file.size });
  }
  for (const [modulePath, size] of listBytes) files.push({ path: `${escapePath(modulePath)}/@v/list`, size });
  return bundleSpaceEstimate(files, plan.modules.length);
}
