/**
 * The bytes the bundle writer puts around each file in a volume, encoded by the `tar`
 * package: a plain ustar header, preceded by a PAX extended header when the path or size
 * does not fit ustar's fields. shared/bundle/tarLayout predicts these sizes exactly.
 */
import { Header } from 'tar/header';
import { Pax } from 'tar/pax';
import { needsPaxHeader, roundUpToBlock, TAR_END_OF_ARCHIVE_BYTES } from '../../../shared/bundle/tarLayout';

/**
 * Header bytes for a regular file. Owner, group and mode are fixed so that a volume's
 * bytes depend only on its files and the bundle's creation time, not on who wrote it.
 */
export function tarEntryHeader(path: string, size: number, mtime: Date): Buffer {
  const header = new Header({ path, size, mtime, type: 'File', mode: 0o644, uid: 0, gid: 0, uname: '', gname: '' });
  const needsPax = header.encode();
  if (needsPax !== needsPaxHeader(path, size) || header.block === undefined) {
    throw new Error(`${path}: the tar header does not have the layout planned for it; the tar package may have changed its encoding`);
  }
  if (!needsPax) return header.block;
  // No mtime here: a PAX mtime would override the header's for every reader, and it is never needed.
  const pax = new Pax({ path, size: size > 0o77777777777 ? size : undefined }).encode();
  return Buffer.concat([pax, header.block]);
}

/** Zero bytes that fill a file's last block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc(roundUpToBlock(size) - size);
}

export function tarEndOfArchive(): Buffer {
  return Buffer.alloc(TAR_END_OF_ARCHIVE_BYTES);
}
