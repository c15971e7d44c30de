import { compare } from '../../../shared/gomod/semver';
import type { ShipReason } from '../../../shared/export/planNotes';
import type { ExportPlanAnswer, PlannedModuleAnswer } from '../../../shared/ipc/exportChannel';

/**
 * Against what went before: `new` ships for the first time; `carried` ships again though an earlier
 * bundle from this machine carried it; `held` is left out, the offline store already holds it.
 */
export type CarriedStatus = 'new' | 'carried' | 'held';

export interface ModuleRow {
  kind: 'module';
  key: string;
  path: string;
  version: string;
  zip: boolean;
  /** What the bundle carries of it: the files not held offline. */
  bytes: number;
  status: CarriedStatus;
  /** The latest earlier bundle that carried it, for `carried`. */
  carriedIn?: string;
  reason: ShipReason;
  deprecated?: string;
  neededBy: string[];
}

export interface GroupRow {
  kind: 'group';
  key: string;
  /** The project folder, go.mod, request file or module line, as the operator gave it. */
  name: string;
  count: number;
}

export type ReviewRow = ModuleRow | GroupRow;

export const SORT_KEYS = ['path', 'version', 'size', 'status'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface RowView {
  query: string;
  sort: SortKey;
  descending: boolean;
  grouped: boolean;
}

export function moduleRow(m: PlannedModuleAnswer): ModuleRow {
  const shipped = m.files.filter((f) => !f.heldOffline);
  const carriedIn = shipped.length > 0 && shipped.every((f) => f.exportedIn !== undefined) ? shipped.map((f) => f.exportedIn ?? '').sort().at(-1) : undefined;
  return {
    kind: 'module',
    key: `${m.path}@${m.version}`,
    path: m.path,
    version: m.version,
    zip: m.zip,
    bytes: shipped.reduce((sum, f) => sum + f.size, 0),
    status: shipped.length === 0 ? 'held' : carriedIn !== undefined ? 'carried' : 'new',
    ...(carriedIn === undefined ? {} : { carriedIn }),
    reason: m.reason,
    ...(m.deprecated === undefined ? {} : { deprecated: m.deprecated }),
    neededBy: m.neededBy,
  };
}

const STATUS_ORDER: Readonly<Record<CarriedStatus, number>> = { new: 0, carried: 1, held: 2 };

const byPath = (a: ModuleRow, b: ModuleRow): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : compare(a.version, b.version));
const COMPARE: Readonly<Record<SortKey, (a: ModuleRow, b: ModuleRow) => number>> = {
  path: byPath,
  version: (a, b) => compare(a.version, b.version) || byPath(a, b),
  size: (a, b) => a.bytes - b.bytes || byPath(a, b),
  status: (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || byPath(a, b),
};

/**
 * The rows the review list shows: those whose `path@version` contains the query (any case), sorted,
 * and when grouped, under a heading per input of the plan (a version two projects need is under both).
 */
export function reviewRows(plan: ExportPlanAnswer, modules: readonly ModuleRow[], view: RowView): ReviewRow[] {
  const query = view.query.trim().toLowerCase();
  const matching = query === '' ? [...modules] : modules.filter((m) => m.key.toLowerCase().includes(query));
  const order = COMPARE[view.sort];
  matching.sort(view.descending ? (a, b) => order(b, a) : order);
  if (!view.grouped) return matching;
  const rows: ReviewRow[] = [];
  for (const { name, input } of plan.inputs) {
    const members = matching.filter((m) => m.neededBy.includes(name));
    if (members.length === 0) continue;
    rows.push({ kind: 'group', key: `group:${name}`, name: input.value, count: members.length }, ...members.map((m) => ({ ...m, key: `${name}\n${m.key}` })));
  }
  return rows;
}
