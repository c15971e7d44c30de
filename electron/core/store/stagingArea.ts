/**
 * Where an import lands a bundle's new files while verifyBundle reads them:
 * `<store>/staging/<bundleId>/<n>.<kind>`, each written exclusively and fsynced. One flat
 * folder, so a single folder sync makes every staged name durable before the commit journal
 * is written. Files the store already holds are only read through (a held zip is
 * re-validated from its copy in the tree); list files are read through and dropped.
 */
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { BundleEntry } from '../../../shared/bundle/manifest';
import { parseTreePath } from '../../../shared/bundle/treePath';
import type { HeldFile } from './catalog';
import type { JournalFile } from './commitJournal';
import { conflictOf, ImportConflictError } from './importPlan';
import { markStagingFolder } from './stagingMarker';
import { stagingDirOf, treeFile, type StoreLayout } from './storeLayout';
import { writeAll } from '../fsutil/writeAll';

export class StagingArea {
  readonly dir: string;
  /** The new files landed so far, in the order they came. */
  readonly staged: JournalFile[] = [];
  /** Files read through because the store holds them with the same bytes. */
  present = 0;
  private created = false;

  constructor(
    private readonly layout: StoreLayout,
    private readonly bundleId: string,
    private readonly held: (treePath: string) => HeldFile | undefined,
  ) {
    this.dir = stagingDirOf(layout, bundleId);
  }

  /** An EntryLander for verifyBundle: resolves with the file holding the entry's bytes, if kept. */
  async land(entry: BundleEntry, data: Readable): Promise<string | undefined> {
    const tree = parseTreePath(entry.path);
    if (tree.kind === 'list' || tree.version === undefined) {
      await drain(data);
      return undefined;
    }
    const stored = this.held(entry.path);
    if (stored !== undefined) {
      if (stored.sha256 !== entry.sha256) throw new ImportConflictError(this.bundleId, [conflictOf(entry, stored)]);
      await drain(data);
      this.present++;
      return tree.kind === 'zip' ? treeFile(this.layout, entry.path) : undefined;
    }
    if (!this.created) {
      await mkdir(this.dir, { recursive: true });
      await markStagingFolder(this.dir, this.bundleId);
      this.created = true;
    }
    const staged = `${this.staged.length + 1}.${tree.kind}`;
    const file = path.join(this.dir, staged);
    await writeDurably(file, data);
    this.staged.push({
      path: entry.path,
      staged,
      modulePath: tree.modulePath,
      version: tree.version,
      kind: tree.kind,
      size: entry.size,
      sha256: entry.sha256,
      ...(entry.h1 === undefined ? {} : { h1: entry.h1 }),
    });
    return file;
  }

  stagedFile(file: JournalFile): string {
    return path.join(this.dir, file.staged);
  }

  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function drain(data: Readable): Promise<void> {
  data.resume();
  await finished(data);
}

async function writeDurably(file: string, data: Readable): Promise<void> {
  const handle = await open(file, 'wx', 0o644);
  try {
    for await (const chunk of data) await writeAll(handle, chunk as Buffer);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
