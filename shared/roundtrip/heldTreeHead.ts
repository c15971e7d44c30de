/**
 * A signed tree head of a checksum database the offline store holds, by size, as the request file
 * and the inventory carry it online: the store may have served any of them, and a go command that
 * verified against one proves the next bundle's newer head consistent with it using the newer tree's
 * tiles over the old head's right edge, which the export then adds (issue 13).
 */
import { isSumdbName } from '../sumdb/sumdbPath';

export interface HeldTreeHead {
  /** The database's name, as in GOSUMDB (`sum.golang.org`). */
  database: string;
  /** Records in the head's tree. */
  size: number;
}

/** Why this head cannot be one a store holds, or undefined when it can. */
export function heldTreeHeadProblem(head: { database: unknown; size: unknown }): string | undefined {
  if (typeof head.database !== 'string' || !isSumdbName(head.database)) return `${JSON.stringify(head.database)} is not a checksum database name`;
  if (typeof head.size !== 'number' || !Number.isSafeInteger(head.size) || head.size < 1) return `${JSON.stringify(head.size)} is not a tree size (a whole number of records, at least 1)`;
  return undefined;
}
