import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoMod, type ModuleVersion } from '../../shared/gomod/goModFile';
import type { ProgressEvent } from '../../shared/work/progress';
import { errorRecord } from '../../electron/core/errors/modferryError';
import { ResolveError, resolveRequirements, type Resolution, type ResolveRoot } from '../../electron/core/resolve/resolveRequirements';
import { goModText as mod, InMemoryModuleSource } from '../support/inMemoryModuleSource';
import { planWarningText, shipReasonText } from '../../shared/export/planNotesText';

function reasonWords(result: Resolution, key: string): string | undefined {
  const reason = result.reasons.get(key);
  return reason === undefined ? undefined : shipReasonText(reason);
}

const MAIN = 'example.com/main';

function project(text: string, name = 'proj/go.mod'): ResolveRoot {
  return { name, goMod: parseGoMod(text, name) };
}

function mainGoMod(go: string | undefined, requires: readonly string[], extra = ''): string {
  return mod(MAIN, go, requires) + extra;
}

function keys(list: readonly ModuleVersion[]): string[] {
  return list.map((m) => `${m.path}@${m.version}`);
}

describe('resolveRequirements: graph shapes', () => {
  test('a simple chain ships every go.mod and every zip', async () => {
    const source = new InMemoryModuleSource({
      'example.com/a@v1.0.0': mod('example.com/a', '1.16', ['example.com/b v1.0.0']),
      'example.com/b@v1.0.0': mod('example.com/b', '1.16', ['example.com/c v1.0.0']),
      'example.com/c@v1.0.0': mod('example.com/c', '1.16'),
    });
    const result = await resolveRequirements([project(mainGoMod('1.16', ['example.com/a v1.0.0']))], source);
    assert.deepEqual(keys(result.modFiles), ['example.com/a@v1.0.0', 'example.com/b@v1.0.0', 'example.com/c@v1.0.0']);
    assert.deepEqual(keys(result.zipFiles), ['example.com/a@v1.0.0', 'example.com/b@v1.0.0', 'example.com/c@v1.0.0']);
    assert.deepEqual(result.neededBy.get('example.com/c@v1.0.0'), ['proj/go.mod']);
    assert.equal(reasonWords(result, 'example.com/c@v1.0.0'), 'selected by MVS for proj/go.mod, required by example.com/b@v1.0.0');
    assert.deepEqual(result.warnings.map(planWarningText), []);
  });

  test('a diamond selects the highest version, yet the lower one’s go.mod and its requirements still ship', async () => {
    const source = new InMemoryModuleSource({
      'example.com/a@v1.0.0': mod('example.com/a', '1.16', ['example.com/c v1.1.0']),
      'example.com/b@v1.0.0': mod('example.com/b', '1.16', ['example.com/c v1.2.0']),
      'example.com/c@v1.1.0': mod('example.com/c', '1.16', ['example.com/d v1.0.0']),
      'example.com/c@v1.2.0': mod('example.com/c', '1.16'),
      'example.com/d@v1.0.0': mod('example.com/d', '1.16'),
    });
    const result = await resolveRequirements([project(mainGoMod('1.16', ['example.com/a v1.0.0', 'example.com/b v1.0.0']))], source);
    assert.deepEqual(keys(result.modFiles), [
      'example.com/a@v1.0.0',
      'example.com/b@v1.0.0',
      'example.com/c@v1.1.0',
      'example.com/c@v1.2.0',
      'example.com/d@v1.0.0',
    ]);
    // MVS keeps d: requirements of an unselected version still count (mvs.BuildList).
    assert.deepEqual(keys(result.zipFiles), ['example.com/a@v1.0.0', 'example.com/b@v1.0.0', 'example.com/c@v1.2.0', 'example.com/d@v1.0.0']);
    assert.equal(reasonWords(result, 'example.com/c@v1.1.0'), 'required by example.com/a@v1.0.0 (via proj/go.mod)');
  });

  test('cycles, including one back to the main module, end; the main module never ships', async () => {
    const source = new InMemoryModuleSource({
      'example.com/a@v1.0.0': mod('example.com/a', '1.16', ['example.com/b v1.0.0']),
      'example.com/b@v1.0.0': mod('example.com/b', '1.16', ['example.com/a v1.1.0', `${MAIN} v0.9.0`]),
      'example.com/a@v1.1.0': mod('example.com/a', '1.16', ['example.com/b v1.0.0']),
      [`${MAIN}@v0.9.0`]: mod(MAIN, '1.16', ['example.com/a v1.0.0']),
    });
    const result = await resolveRequirements([project(mainGoMod('1.16', ['example.com/a v1.0.0']))], source);
    assert.deepEqual(keys(result.modFiles), ['example.com/a@v1.0.0', 'example.com/a@v1.1.0', 'example.com/b@v1.0.0', `${MAIN}@v0.9.0`]);
    assert.deepEqual(keys(result.zipFiles), ['example.com/a@v1.1.0', 'example.com/b@v1.0.0']);
    for (const key of Object.keys({ 'example.com/a@v1.0.0': 1, 'example.com/a@v1.1.0': 1, 'example.com/b@v1.0.0': 1, [`${MAIN}@v0.9.0`]: 1 })) {
      assert.equal(source.fetchCount(key), 1, key);
    }
  });

  test('+incompatible and pseudo-versions are ordinary versions', async () => {
    const pseudo = 'v0.0.0-20230101000000-abcdefabcdef';
    const source = new InMemoryModuleSource({
      'example.com/a@v1.0.0': mod('example.com/a', '1.16', ['example.com/old v2.0.0+incompatible', `example.com/p ${pseudo}`]),
      'example.com/old@v1.5.0': mod('example.com/old', undefined),
      'example.com/old@v2.0.0+incompatible': mod('example.com/old', undefined),
      [`example.com/p@${pseudo}`]: mod('example.com/p', '1.16'),
      'example.com/p@v0.0.0-20220101000000-000000000000': mod('example.com/p', '1.16'),
    });
    const result = await resolveRequirements(
      [project(mainGoMod('1.16', ['example.com/a v1.0.0', 'example.com/old v1.5.0', 'example.com/p v0.0.0-20220101000000-000000000000']))],
      source,
    );
    assert.deepEqual(keys(result.zipFiles), ['example.com/a@v1.0.0', 'example.com/old@v2.0.0+incompatible', `example.com/p@${pseudo}`]);
  });
});

describe('resolveRequirements: graph pruning', () => {
  // main → a (go 1.17) → b (go 1.17) → c v1.3.0, and main → c v1.2.0 directly.
  const prunable = {
    'example.com/a@v1.0.0': mod('example.com/a', '1.17', ['example.com/b v1.0.0']),
    'example.com/b@v1.0.0': mod('example.com/b', '1.17', ['example.com/c v1.3.0']),
    'example.com/c@v1.2.0': mod('example.com/c', '1.17'),
    'example.com/c@v1.3.0': mod('example.com/c', '1.17'),
  };
  const requires = ['example.com/a v1.0.0', 'example.com/c v1.2.0'];

  test('a go 1.17 main module ships the zips of the pruned selection, and warns that tidy would check the unpruned one', async () => {
    const result = await resolveRequirements([project(mainGoMod('1.17', requires))], new InMemoryModuleSource(prunable));
    assert.deepEqual(keys(result.modFiles), ['example.com/a@v1.0.0', 'example.com/b@v1.0.0', 'example.com/c@v1.2.0', 'example.com/c@v1.3.0']);
    assert.deepEqual(keys(result.zipFiles), ['example.com/a@v1.0.0', 'example.com/b@v1.0.0', 'example.com/c@v1.2.0']);
    assert.equal(reasonWords(result, 'example.com/c@v1.2.0'), 'selected by MVS for proj/go.mod');
    assert.equal(reasonWords(result, 'example.com/c@v1.3.0'), 'required by example.com/b@v1.0.0 (via proj/go.mod)');
    assert.equal(reasonWords(result, 'example.com/b@v1.0.0'), 'selected by MVS for proj/go.mod, required by example.com/a@v1.0.0');
    assert.deepEqual(result.warnings.map(planWarningText), [
      'proj/go.mod: Go 1.16 would select other versions (example.com/c v1.3.0 over v1.2.0), which go mod tidy checks by default; ' +
        'the bundle carries only what this go version builds with, so offline tidy with go mod tidy -compat=1.17',
    ]);
  });

  test('from go 1.18 on, go mod tidy checks against go 1.17: nothing to warn about', async () => {
    const result = await resolveRequirements([project(mainGoMod('1.18', requires))], new InMemoryModuleSource(prunable));
    assert.deepEqual(result.warnings.map(planWarningText), []);
    assert.deepEqual(keys(result.zipFiles), ['example.com/a@v1.0.0', 'example.com/b@v1.0.0', 'example.com/c@v1.2.0']);
    assert.deepEqual(keys(result.modFiles), ['example.com/a@v1.0.0', 'example.com/b@v1.0.0', 'example.com/c@v1.2.0', 'example.com/c@v1.3.0']);
  });

  test('a module only the unpruned graph holds needs no zip: no package of the build list can be in it', async () => {
    const source = new InMemoryModuleSource({
      ...prunable,
      'example.com/b@v1.0.0': mod('example.com/b', '1.17', ['example.com/c v1.3.0', 'example.com/only v1.0.0']),
      'example.com/only@v1.0.0': mod('example.com/only', '1.17'),
    });
    const result = await resolveRequirements([project(mainGoMod('1.17', requires))], source);
    assert.ok(!keys(result.zipFiles).includes('example.com/only@v1.0.0'));
    assert.ok(keys(result.modFiles).includes('example.com/only@v1.0.0'));
  });

  test('a go 1.16 main module is unpruned: only the unpruned selection ships', async () => {
    const result = await resolveRequirements([project(mainGoMod('1.16', requires))], new InMemoryModuleSource(prunable));
    assert.deepEqual(keys(result.zipFiles), ['example.com/a@v1.0.0', 'example.com/b@v1.0.0', 'example.com/c@v1.3.0']);
    assert.deepEqual(keys(result.modFiles), ['example.com/a@v1.0.0', 'example.com/b@v1.0.0', 'example.com/c@v1.2.0', 'example.com/c@v1.3.0']);
  });

  test('a main module without a go directive reads as go 1.16', async () => {
    const result = await resolveRequirements([project(mainGoMod(undefined, requires))], new InMemoryModuleSource(prunable));
    assert.deepEqual(keys(result.zipFiles), ['example.com/a@v1.0.0', 'example.com/b@v1.0.0', 'example.com/c@v1.3.0']);
  });

  test('nothing below a dependency older than go 1.17 is pruned', async () => {
    const source = new InMemoryModuleSource({
      'example.com/old@v1.0.0': mod('example.com/old', '1.16', ['example.com/x v1.0.0']),
      'example.com/x@v1.0.0': mod('example.com/x', '1.17', ['example.com/y v1.0.0']),
      'example.com/y@v1.0.0': mod('example.com/y', '1.17', ['example.com/c v1.3.0']),
      ...prunable,
    });
    const result = await resolveRequirements([project(mainGoMod('1.17', ['example.com/old v1.0.0', 'example.com/c v1.2.0']))], source);
    // old is unpruned, so x, y and y's requirement on c v1.3.0 are all inside the pruned graph.
    assert.equal(reasonWords(result, 'example.com/c@v1.3.0'), 'selected by MVS for proj/go.mod');
    assert.ok(!keys(result.zipFiles).includes('example.com/c@v1.2.0'));
  });

  test('the go command raises inconsistent roots and reads their go.mod, which may add modules', async () => {
    const source = new InMemoryModuleSource({
      'example.com/a@v1.0.0': mod('example.com/a', '1.17'),
      'example.com/a@v1.1.0': mod('example.com/a', '1.17', ['example.com/n v1.0.0']),
      'example.com/b@v1.0.0': mod('example.com/b', '1.17', ['example.com/a v1.1.0']),
      'example.com/n@v1.0.0': mod('example.com/n', '1.17', ['example.com/deep v1.0.0']),
      'example.com/deep@v1.0.0': mod('example.com/deep', '1.17'),
    });
    const result = await resolveRequirements([project(mainGoMod('1.17', ['example.com/a v1.0.0', 'example.com/b v1.0.0']))], source);
    assert.equal(reasonWords(result, 'example.com/n@v1.0.0'), 'selected by MVS for proj/go.mod, required by example.com/a@v1.1.0');
    assert.equal(reasonWords(result, 'example.com/deep@v1.0.0'), 'required by example.com/n@v1.0.0 (via proj/go.mod)');
    assert.ok(!keys(result.zipFiles).includes('example.com/deep@v1.0.0'), 'only the unpruned graph holds deep');
    assert.ok(!keys(result.zipFiles).includes('example.com/a@v1.0.0'));
    assert.ok(keys(result.modFiles).includes('example.com/a@v1.0.0'));
  });

  test('a duplicate lower root stops counting once the roots are made consistent (checked against go 1.19)', async () => {
    const source = new InMemoryModuleSource({
      'example.com/a@v1.0.0': mod('example.com/a', '1.17', ['example.com/x v1.0.0']),
      'example.com/a@v1.1.0': mod('example.com/a', '1.17'),
      'example.com/x@v1.0.0': mod('example.com/x', '1.17'),
    });
    const result = await resolveRequirements([project(mainGoMod('1.17', ['example.com/a v1.0.0', 'example.com/a v1.1.0']))], source);
    assert.equal(reasonWords(result, 'example.com/a@v1.1.0'), 'selected by MVS for proj/go.mod');
    assert.equal(reasonWords(result, 'example.com/x@v1.0.0'), 'required by example.com/a@v1.0.0 (via proj/go.mod)');
    assert.ok(!keys(result.zipFiles).includes('example.com/x@v1.0.0'), 'only the unpruned graph holds x');
  });
});

describe('resolveRequirements: replace and exclude', () => {
  test('a replace naming the old version fetches the replacement and continues from its go.mod', async () => {
    const source = new InMemoryModuleSource({
      'example.com/fork@v1.0.1': mod('example.com/fork', '1.16', ['example.com/z v1.0.0']),
      'example.com/old@v1.2.0': mod('example.com/old', '1.16'),
      'example.com/z@v1.0.0': mod('example.com/z', '1.16'),
    });
    const text = mainGoMod('1.16', ['example.com/old v1.0.0'], 'replace example.com/old v1.0.0 => example.com/fork v1.0.1\n');
    const result = await resolveRequirements([project(text)], source);
    assert.deepEqual(keys(result.modFiles), ['example.com/fork@v1.0.1', 'example.com/z@v1.0.0']);
    assert.deepEqual(keys(result.zipFiles), ['example.com/fork@v1.0.1', 'example.com/z@v1.0.0']);
    assert.equal(
      reasonWords(result, 'example.com/fork@v1.0.1'),
      'selected by MVS for proj/go.mod, as the replacement for example.com/old@v1.0.0 (proj/go.mod:8)',
    );
    assert.equal(source.fetchCount('example.com/old@v1.0.0'), 0);
  });

  test('a replace naming another version leaves this one alone', async () => {
    const source = new InMemoryModuleSource({ 'example.com/old@v1.0.0': mod('example.com/old', '1.16') });
    const text = mainGoMod('1.16', ['example.com/old v1.0.0'], 'replace example.com/old v0.9.0 => example.com/fork v1.0.1\n');
    const result = await resolveRequirements([project(text)], source);
    assert.deepEqual(keys(result.zipFiles), ['example.com/old@v1.0.0']);
  });

  test('a replace without an old version replaces every version; the build list keeps the old identity', async () => {
    const source = new InMemoryModuleSource({
      'example.com/a@v1.0.0': mod('example.com/a', '1.16', ['example.com/old v1.2.0']),
      // A fork that kept the original module line is accepted too.
      'example.com/fork@v1.9.0': mod('example.com/old', '1.16'),
      'example.com/pinned@v1.0.0': mod('example.com/pinned', '1.16'),
    });
    const text = mainGoMod(
      '1.16',
      ['example.com/a v1.0.0', 'example.com/old v1.0.0'],
      'replace example.com/old => example.com/fork v1.9.0\nreplace example.com/old v1.2.0 => example.com/pinned v1.0.0\n',
    );
    const result = await resolveRequirements([project(text)], source);
    // old@v1.2.0 is selected and its exact-version replace wins over the path-wide one.
    assert.deepEqual(keys(result.zipFiles), ['example.com/a@v1.0.0', 'example.com/pinned@v1.0.0']);
    assert.deepEqual(keys(result.modFiles), ['example.com/a@v1.0.0', 'example.com/fork@v1.9.0', 'example.com/pinned@v1.0.0']);
  });

  test('two versions replaced by the same target fetch its go.mod once', async () => {
    const source = new InMemoryModuleSource({
      'example.com/a@v1.0.0': mod('example.com/a', '1.16', ['example.com/old v1.2.0']),
      'example.com/fork@v1.9.0': mod('example.com/fork', '1.16'),
    });
    const text = mainGoMod('1.16', ['example.com/a v1.0.0', 'example.com/old v1.0.0'], 'replace example.com/old => example.com/fork v1.9.0\n');
    const result = await resolveRequirements([project(text)], source);
    assert.deepEqual(keys(result.zipFiles), ['example.com/a@v1.0.0', 'example.com/fork@v1.9.0']);
    assert.equal(source.fetchCount('example.com/fork@v1.9.0'), 1);
  });

  test('a directory replacement is skipped with a warning naming the file and line', async () => {
    const source = new InMemoryModuleSource({ 'example.com/a@v1.0.0': mod('example.com/a', '1.17') });
    const text = mainGoMod(
      '1.17',
      ['example.com/a v1.0.0', 'example.com/local v1.0.0'],
      'replace example.com/local => ../local\nreplace example.com/unused v1.0.0 => ./unused\n',
    );
    const result = await resolveRequirements([project(text, 'work/proj')], source);
    assert.deepEqual(keys(result.zipFiles), ['example.com/a@v1.0.0']);
    assert.deepEqual(keys(result.modFiles), ['example.com/a@v1.0.0']);
    assert.deepEqual(result.warnings.map(planWarningText), [
      'work/proj/go.mod:9: replace example.com/local => ../local: directory replacement skipped: ship that folder yourself ' +
        '(the requirements in its go.mod are not followed)',
    ]);
  });

  test('conflicting replacements are an error naming the line', async () => {
    const text = mainGoMod('1.17', [], 'replace example.com/x => example.com/y v1.0.0\nreplace example.com/x => example.com/z v1.0.0\n');
    await assert.rejects(
      resolveRequirements([project(text)], new InMemoryModuleSource({})),
      /^Error: proj\/go\.mod:5: conflicting replacements for example\.com\/x: example\.com\/y v1\.0\.0 \(line 4\) and example\.com\/z v1\.0\.0$/,
    );
  });

  test('a requirement on an excluded version is dropped, not moved to the next version (Go 1.16+)', async () => {
    const source = new InMemoryModuleSource({
      'example.com/a@v1.0.0': mod('example.com/a', '1.16', ['example.com/c v1.1.0']),
      'example.com/b@v1.0.0': mod('example.com/b', '1.16', ['example.com/c v1.0.0']),
      'example.com/c@v1.0.0': mod('example.com/c', '1.16'),
      'example.com/c@v1.1.0': mod('example.com/c', '1.16'),
      'example.com/c@v1.2.0': mod('example.com/c', '1.16'),
    });
    const text = mainGoMod('1.16', ['example.com/a v1.0.0', 'example.com/b v1.0.0'], 'exclude example.com/c v1.1.0\n');
    const result = await resolveRequirements([project(text)], source);
    assert.deepEqual(keys(result.zipFiles), ['example.com/a@v1.0.0', 'example.com/b@v1.0.0', 'example.com/c@v1.0.0']);
    assert.deepEqual(keys(result.modFiles), ['example.com/a@v1.0.0', 'example.com/b@v1.0.0', 'example.com/c@v1.0.0']);
    assert.equal(source.fetchCount('example.com/c@v1.1.0'), 0);
    assert.deepEqual(result.warnings.map(planWarningText), []);
  });

  test('an exclusion that leaves no version of a module warns that the go command would look it up online', async () => {
    const source = new InMemoryModuleSource({
      'example.com/a@v1.0.0': mod('example.com/a', '1.17', ['example.com/gone v1.1.0']),
      'example.com/gone@v1.1.0': mod('example.com/gone', '1.17'),
    });
    const text = mainGoMod('1.17', ['example.com/a v1.0.0', 'example.com/x v1.0.0'], 'exclude (\n\texample.com/x v1.0.0\n\texample.com/gone v1.1.0\n)\n');
    const result = await resolveRequirements([project(text)], source);
    assert.deepEqual(keys(result.zipFiles), ['example.com/a@v1.0.0']);
    const tail = 'in the build list, so if the project imports it the go command will look it up online: run go mod tidy before exporting';
    assert.deepEqual(result.warnings.map(planWarningText), [
      `proj/go.mod:7: require example.com/x v1.0.0 is excluded (proj/go.mod:10): the go command drops it; that leaves no version of example.com/x ${tail}`,
      `proj/go.mod:11: exclude example.com/gone v1.1.0 drops the requirement of example.com/a@v1.0.0 on it; that leaves no version of example.com/gone ${tail}`,
    ]);
  });
});

describe('resolveRequirements: roots', () => {
  test('a bare module root builds like go install path@version: a pruned main module requiring it', async () => {
    const source = new InMemoryModuleSource({
      'example.com/tool@v1.0.0': mod('example.com/tool', '1.17', ['example.com/a v1.0.0', 'example.com/c v1.2.0']),
      'example.com/a@v1.0.0': mod('example.com/a', '1.17', ['example.com/c v1.3.0']),
      'example.com/c@v1.2.0': mod('example.com/c', '1.17'),
      'example.com/c@v1.3.0': mod('example.com/c', '1.17'),
    });
    const name = 'example.com/tool@v1.0.0';
    const result = await resolveRequirements([{ name, modules: [{ path: 'example.com/tool', version: 'v1.0.0' }] }], source);
    // There is no go.mod for go mod tidy to check, so the unpruned selection of c ships no zip.
    assert.deepEqual(keys(result.zipFiles), ['example.com/a@v1.0.0', 'example.com/c@v1.2.0', 'example.com/tool@v1.0.0']);
    assert.equal(reasonWords(result, 'example.com/c@v1.2.0'), `selected by MVS for ${name}`);
    assert.equal(reasonWords(result, 'example.com/c@v1.3.0'), `required by example.com/a@v1.0.0 (via ${name})`);
    assert.deepEqual(result.neededBy.get('example.com/tool@v1.0.0'), [name]);
  });

  test('several roots share fetches and each version names every root that needs it', async () => {
    const source = new InMemoryModuleSource({
      'example.com/a@v1.0.0': mod('example.com/a', '1.16', ['example.com/c v1.0.0']),
      'example.com/b@v1.0.0': mod('example.com/b', '1.16', ['example.com/c v1.0.0']),
      'example.com/c@v1.0.0': mod('example.com/c', '1.16'),
    });
    const result = await resolveRequirements(
      [
        project(mainGoMod('1.16', ['example.com/a v1.0.0']), 'one/go.mod'),
        project(mainGoMod('1.17', ['example.com/b v1.0.0', 'example.com/c v1.0.0']), 'two/go.mod'),
        { name: 'example.com/b@v1.0.0', modules: [{ path: 'example.com/b', version: 'v1.0.0' }] },
      ],
      source,
    );
    assert.deepEqual(result.neededBy.get('example.com/c@v1.0.0'), ['one/go.mod', 'two/go.mod', 'example.com/b@v1.0.0']);
    assert.deepEqual(result.neededBy.get('example.com/a@v1.0.0'), ['one/go.mod']);
    assert.equal(reasonWords(result, 'example.com/c@v1.0.0'), 'selected by MVS for one/go.mod, required by example.com/a@v1.0.0');
    for (const key of ['example.com/a@v1.0.0', 'example.com/b@v1.0.0', 'example.com/c@v1.0.0']) assert.equal(source.fetchCount(key), 1, key);
  });

  test('a root naming nothing, or a bare module without a concrete version, is refused', async () => {
    const source = new InMemoryModuleSource({});
    await assert.rejects(resolveRequirements([{ name: 'empty' }], source), /^Error: root empty: names neither a go\.mod nor any module$/);
    await assert.rejects(
      resolveRequirements([{ name: 'x@latest', modules: [{ path: 'example.com/x', version: 'latest' }] }], source),
      /^Error: root x@latest: example\.com\/x@latest does not name a concrete version$/,
    );
  });

  test('a main go.mod without a module line is refused, as the go command refuses it', async () => {
    await assert.rejects(
      resolveRequirements([project('go 1.17\n', 'p/go.mod')], new InMemoryModuleSource({})),
      /^Error: p\/go\.mod: no module declaration in go\.mod/,
    );
  });
});

describe('resolveRequirements: errors', () => {
  test('a go.mod that fails to load names the module and who required it', async () => {
    const source = new InMemoryModuleSource({ 'example.com/a@v1.0.0': mod('example.com/a', '1.16', ['example.com/b v1.2.0']) });
    const failure = await resolveRequirements([project(mainGoMod('1.17', ['example.com/a v1.0.0']))], source).then(
      () => assert.fail('expected a failure'),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof ResolveError);
    assert.equal(failure.message, 'example.com/b@v1.2.0 (required by example.com/a@v1.0.0): reading go.mod: example.com/b@v1.2.0: 404 Not Found');
    assert.equal(failure.module, 'example.com/b@v1.2.0');
    assert.equal(failure.requiredBy, 'example.com/a@v1.0.0');
  });

  test('a root that fails names the go.mod that requires it, and counts the other failures', async () => {
    await assert.rejects(
      resolveRequirements([project(mainGoMod('1.17', ['example.com/a v1.0.0', 'example.com/b v1.0.0']))], new InMemoryModuleSource({})),
      {
        name: 'ResolveError',
        message: 'example.com/a@v1.0.0 (required by proj/go.mod): reading go.mod: example.com/a@v1.0.0: 404 Not Found (1 more module failed too)',
      },
    );
  });

  test('parse errors, a missing module line and a mismatched module path are load failures', async () => {
    const cases: Array<[string, string]> = [
      ['module example.com/a\nrequire example.com/b\n', 'parsing go.mod: go.mod:2: usage: require module/path v1.2.3'],
      ['go 1.16\n', 'parsing go.mod: missing module line'],
      [mod('example.com/other', '1.16'), 'parsing go.mod: module declares its path as example.com/other but was required as example.com/a'],
    ];
    for (const [text, cause] of cases) {
      await assert.rejects(
        resolveRequirements([project(mainGoMod('1.16', ['example.com/a v1.0.0']))], new InMemoryModuleSource({ 'example.com/a@v1.0.0': text })),
        { message: `example.com/a@v1.0.0 (required by proj/go.mod): ${cause}` },
      );
    }
  });

  test('a dependency whose go.mod does not parse is reported with its module, version and line as fields', async () => {
    const source = new InMemoryModuleSource({ 'example.com/a@v1.0.0': 'module example.com/a\nrequire example.com/b\n' });
    const failure = await resolveRequirements([project(mainGoMod('1.16', ['example.com/a v1.0.0']))], source).then(
      () => assert.fail('expected a failure'),
      (error: unknown) => error,
    );
    assert.deepEqual(errorRecord(failure), {
      type: 'error',
      kind: 'resolve',
      message: 'example.com/a@v1.0.0 (required by proj/go.mod): parsing go.mod: go.mod:2: usage: require module/path v1.2.3',
      module: 'example.com/a',
      version: 'v1.0.0',
      file: 'go.mod',
      line: 2,
    });
  });

  test('a failing replacement is named with what it replaces', async () => {
    const text = mainGoMod('1.17', ['example.com/a v1.0.0'], 'replace example.com/a => example.com/fork v1.0.0\n');
    await assert.rejects(resolveRequirements([project(text)], new InMemoryModuleSource({})), {
      message: 'example.com/a@v1.0.0 (replaced by example.com/fork@v1.0.0, required by proj/go.mod): reading go.mod: example.com/fork@v1.0.0: 404 Not Found',
    });
  });

  test('a bare root that fails to load is named once', async () => {
    await assert.rejects(
      resolveRequirements([{ name: 'example.com/t@v1.0.0', modules: [{ path: 'example.com/t', version: 'v1.0.0' }] }], new InMemoryModuleSource({})),
      { message: 'example.com/t@v1.0.0: reading go.mod: example.com/t@v1.0.0: 404 Not Found' },
    );
  });

  test('a failure only the unpruned graph reaches is a warning for a go 1.17 main module', async () => {
    const source = new InMemoryModuleSource({ 'example.com/a@v1.0.0': mod('example.com/a', '1.17', ['example.com/b v1.2.0']) });
    const result = await resolveRequirements([project(mainGoMod('1.17', ['example.com/a v1.0.0']))], source);
    assert.deepEqual(keys(result.zipFiles), ['example.com/a@v1.0.0', 'example.com/b@v1.2.0']);
    assert.deepEqual(keys(result.modFiles), ['example.com/a@v1.0.0', 'example.com/b@v1.2.0']);
    assert.deepEqual(result.warnings.map(planWarningText), [
      'example.com/b@v1.2.0 (required by example.com/a@v1.0.0): reading go.mod: example.com/b@v1.2.0: 404 Not Found: skipped, as it lies ' +
        'outside the pruned module graph the go command builds with; only Go 1.16 and go mod tidy -compat=1.16 read it',
    ]);
  });
});

describe('resolveRequirements: exploration', () => {
  function wideGraph(): Record<string, string> {
    const table: Record<string, string> = {};
    const leaves = Array.from({ length: 12 }, (_, i) => `example.com/leaf${i} v1.0.0`);
    for (let i = 0; i < 12; i++) table[`example.com/leaf${i}@v1.0.0`] = mod(`example.com/leaf${i}`, '1.16');
    for (let i = 0; i < 10; i++) table[`example.com/mid${i}@v1.0.0`] = mod(`example.com/mid${i}`, '1.16', leaves);
    return table;
  }
  const mids = Array.from({ length: 10 }, (_, i) => `example.com/mid${i} v1.0.0`);

  test('fetches run concurrently but never more than the limit, and each go.mod is fetched once', async () => {
    const source = new InMemoryModuleSource(wideGraph(), 5);
    const result = await resolveRequirements([project(mainGoMod('1.17', mids)), project(mainGoMod('1.16', mids), 'b/go.mod')], source, {
      concurrency: 3,
    });
    assert.equal(result.modFiles.length, 22);
    assert.equal(source.maxInFlight, 3);
    assert.equal(source.fetches.length, 22);
    assert.equal(new Set(source.fetches).size, 22);
  });

  test('progress reports each go.mod read', async () => {
    const events: ProgressEvent[] = [];
    await resolveRequirements([project(mainGoMod('1.16', mids))], new InMemoryModuleSource(wideGraph()), { onProgress: (e) => events.push(e) });
    const reads = events.filter((e) => e.message?.startsWith('read go.mod of '));
    assert.equal(reads.length, 22);
    assert.ok(events.every((e) => e.stage === 'resolve'));
    assert.deepEqual(events.at(-1), { stage: 'resolve', message: 'resolved 22 go.mod files and 22 module zips', files: 22, totalFiles: 22 });
  });

  test('an abort stops the resolution with the signal’s reason', async () => {
    const controller = new AbortController();
    const source = new InMemoryModuleSource(wideGraph(), 5);
    const running = resolveRequirements([project(mainGoMod('1.16', mids))], source, {
      signal: controller.signal,
      concurrency: 2,
      onProgress: (e) => {
        if (e.files === 3) controller.abort();
      },
    });
    await assert.rejects(running, { name: 'AbortError' });
    assert.ok(source.fetches.length < 22);
  });

  test('a concurrency below one is refused', async () => {
    await assert.rejects(resolveRequirements([], new InMemoryModuleSource({}), { concurrency: 0 }), RangeError);
  });
});
