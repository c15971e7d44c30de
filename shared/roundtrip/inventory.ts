/**
 * An inventory lists what an offline store holds, so `modferry export --since FILE` can leave out
 * what the other side already has. JSON, because it is written and read by programs, not people.
 * `sumdbHeads` (the store's checksum-database tree heads) is optional: readers that predate it
 * ignore it, so the format version stays 1.
 */
import { checkModulePath } from '../gomod/modulePath';
import { isValid } from '../gomod/semver';
import { heldTreeHeadProblem, type HeldTreeHead } from './heldTreeHead';

export const inventoryFormat = 'modferry-inventory';

export type StoredFileKind = 'info' | 'mod' | 'zip';

export interface InventoryModule {
  path: string;
  version: string;
  files: StoredFileKind[];
  /**
   * Present when the store holds no checksum-database record of this version (and holds records of
   * others): the h1 of its .mod and .zip, so an export can ship the record and check it against
   * them. Readers that predate it ignore it, so the format version stays 1.
   */
  noProof?: ProofGapHashes;
}

export interface ProofGapHashes {
  mod?: string;
  zip?: string;
}

export interface Inventory {
  format: typeof inventoryFormat;
  formatVersion: 1;
  createdAt: string;
  tool: string;
  modules: InventoryModule[];
  sumdbHeads?: HeldTreeHead[];
}

export class InventoryError extends Error {
  override name = 'InventoryError';

  constructor(
    message: string,
    /** The inventory file at fault. */
    readonly file: string,
  ) {
    super(message);
  }
}

const fileKinds: readonly string[] = ['info', 'mod', 'zip'];

export function parseInventory(text: string, fileName: string): Inventory {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InventoryError(`${fileName}: not JSON: ${(error as Error).message}`, fileName);
  }
  const fail = (where: string, reason: string): never => {
    throw new InventoryError(`${fileName}: ${where}: ${reason}`, fileName);
  };
  const doc = data as Partial<Inventory>;
  if (typeof data !== 'object' || data === null || doc.format !== inventoryFormat) {
    fail('format', `not a modferry inventory (expected "format": "${inventoryFormat}")`);
  }
  if (doc.formatVersion !== 1) fail('formatVersion', `unsupported version ${String(doc.formatVersion)} (this modferry reads 1)`);
  if (!Array.isArray(doc.modules)) fail('modules', 'expected an array');
  doc.modules!.forEach((m, i) => {
    const where = `modules[${i}]`;
    if (typeof m?.path !== 'string') fail(`${where}.path`, 'expected a module path');
    try {
      checkModulePath(m.path);
    } catch (error) {
      fail(`${where}.path`, (error as Error).message);
    }
    if (typeof m.version !== 'string' || !isValid(m.version)) fail(`${where}.version`, `invalid version ${JSON.stringify(m.version)}`);
    if (!Array.isArray(m.files) || m.files.some((f) => !fileKinds.includes(f))) fail(`${where}.files`, 'expected a list of "info", "mod", "zip"');
    if (m.noProof !== undefined && !isProofGapHashes(m.noProof)) fail(`${where}.noProof`, 'expected {"mod": "h1:…", "zip": "h1:…"} (either may be absent)');
  });
  if (doc.sumdbHeads !== undefined && !Array.isArray(doc.sumdbHeads)) fail('sumdbHeads', 'expected an array');
  (doc.sumdbHeads ?? []).forEach((h, i) => {
    const problem = typeof h === 'object' && h !== null ? heldTreeHeadProblem(h) : 'expected {"database": name, "size": records}';
    if (problem !== undefined) fail(`sumdbHeads[${i}]`, problem);
  });
  return {
    format: inventoryFormat,
    formatVersion: 1,
    createdAt: String(doc.createdAt ?? ''),
    tool: String(doc.tool ?? ''),
    modules: doc.modules!,
    ...(doc.sumdbHeads === undefined ? {} : { sumdbHeads: doc.sumdbHeads.map(({ database, size }) => ({ database, size })) }),
  };
}

function isProofGapHashes(value: unknown): value is ProofGapHashes {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.entries(value).every(([kind, h1]) => (kind === 'mod' || kind === 'zip') && typeof h1 === 'string' && /^h1:[A-Za-z0-9+/]{43}=$/.test(h1));
}

export function formatInventory(modules: readonly InventoryModule[], meta: { createdAt: string; tool: string; sumdbHeads?: readonly HeldTreeHead[] }): string {
  const inventory: Inventory = {
    format: inventoryFormat,
    formatVersion: 1,
    createdAt: meta.createdAt,
    tool: meta.tool,
    modules: [...modules],
    ...(meta.sumdbHeads === undefined || meta.sumdbHeads.length === 0 ? {} : { sumdbHeads: [...meta.sumdbHeads] }),
  };
  return JSON.stringify(inventory, null, 2) + '\n';
}

/** What an inventory holds, for quick "does the other side have this file" questions. */
export function inventoryHas(inventory: Inventory): (path: string, version: string, kind: StoredFileKind) => boolean {
  const held = new Set(inventory.modules.flatMap((m) => m.files.map((f) => `${m.path}@${m.version}.${f}`)));
  return (path, version, kind) => held.has(`${path}@${version}.${kind}`);
}
