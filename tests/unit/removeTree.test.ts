import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { removeTree } from '../../electron/core/fsutil/removeTree';

describe('removeTree', () => {
  test('removes a tree with read-only folders and files, as a Go module cache has, and leaves what its links point to', async (t) => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'modferry-remove-tree-'));
    t.after(() => rm(work, { recursive: true, force: true }));
    const outside = path.join(work, 'outside.txt');
    await writeFile(outside, 'kept');
    const tree = path.join(work, 'tree');
    const module = path.join(tree, 'example.com', 'm@v1.0.0');
    await mkdir(path.join(module, 'sub'), { recursive: true });
    for (let i = 0; i < 50; i++) await writeFile(path.join(module, 'sub', `f${i}.go`), 'package sub\n', { mode: 0o444 });
    await symlink(outside, path.join(module, 'link'));
    await symlink(work, path.join(module, 'folder-link'));
    await chmod(path.join(module, 'sub'), 0o555);
    await chmod(module, 0o555);

    await removeTree(tree);
    assert.equal(existsSync(tree), false);
    assert.equal(await readFile(outside, 'utf8'), 'kept');
  });

  test('a folder that is not there is already removed; a file is removed', async (t) => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'modferry-remove-tree-'));
    t.after(() => rm(work, { recursive: true, force: true }));
    await removeTree(path.join(work, 'missing'));
    const file = path.join(work, 'file');
    await writeFile(file, 'x');
    await removeTree(file);
    assert.equal(existsSync(file), false);
    assert.equal(existsSync(work), true);
  });

  test('a link to a folder is removed, and the folder it points to is left whole', async (t) => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'modferry-remove-tree-'));
    t.after(() => rm(work, { recursive: true, force: true }));
    const target = path.join(work, 'target');
    await mkdir(target);
    await writeFile(path.join(target, 'kept.txt'), 'kept');
    const link = path.join(work, 'link');
    await symlink(target, link);
    await removeTree(link);
    assert.equal(existsSync(link), false);
    assert.equal(await readFile(path.join(target, 'kept.txt'), 'utf8'), 'kept');
  });
});
