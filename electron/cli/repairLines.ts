import type { RepairReport } from '../core/store/repairStore';
import { plural } from './plural';

/** What a store repair did, one line per kind of change (none when it changed nothing). */
export function repairLines(report: RepairReport): string[] {
  const lines: string[] = [];
  const say = (text: string): void => {
    lines.push(`Repaired the store: ${text}`);
  };
  for (const bundleId of report.completed) say(`finished the interrupted import of ${bundleId}`);
  for (const bundleId of report.undone) say(`undid the interrupted import of ${bundleId} (a file it had written was changed or gone)`);
  if (report.stagingRemoved.length > 0) say(`removed what interrupted imports left in staging/ (${report.stagingRemoved.join(', ')})`);
  if (report.rebuilt !== undefined) {
    say(`rebuilt the catalog from ${plural(report.rebuilt.files, 'file')} in tree/ as bundle ${report.rebuilt.bundleId} (the catalog listed none)`);
  }
  if (report.missingForgotten.length > 0) {
    say(`forgot ${plural(report.missingForgotten.length, 'catalog entry', 'catalog entries')} whose file is gone from tree/:`);
    lines.push(...report.missingForgotten.map((treePath) => `  ${treePath}`));
  }
  const { dir, files } = report.quarantined;
  if (dir !== undefined && files.length > 0) {
    say(`moved ${plural(files.length, 'file')} out of the store into ${dir} (nothing was deleted; QUARANTINE.txt there says why):`);
    lines.push(...files.map((file) => `  ${file.from}: ${file.why}`));
  }
  return lines;
}
