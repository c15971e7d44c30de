/**
 * Module zips judged as golang.org/x/mod judges them: every case of its own zip test data
 * (check_zip, create, unzip) agrees with our listing rules, inspectModuleZip and hashModuleZip.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ModuleZipListingChecker, type ModuleZipProblem } from '../../shared/gomod/moduleZipRules';
import { hashModuleZip } from '../../electron/core/modzip/hashModuleZip';
import { inspectModuleZip } from '../../electron/core/modzip/inspectModuleZip';
import { ModuleZipError } from '../../electron/core/modzip/moduleZipError';
import { readZipEntries } from '../../electron/core/modzip/readZipEntries';
import { filesCreateKeeps, loadXmodZipCases, zipOf, type XmodZipCase } from '../support/xmodZipCases';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modferry-xmodzip-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function saveZip(testCase: XmodZipCase, entries: ReadonlyArray<{ name: string; data: Buffer }>): Promise<string> {
  const file = path.join(dir, `${testCase.name.replace('/', '-')}.zip`);
  await writeFile(file, await zipOf(entries));
  return file;
}

/** The message x/mod gives for a refusal: the entry as its caller named it, then the reason. */
function goMessage(error: ModuleZipError, shownPrefix: string): string {
  if (error.entry === undefined) return error.reason;
  const shown = error.entry.startsWith(shownPrefix) ? error.entry.slice(shownPrefix.length) : error.entry;
  return `${shown}: ${error.reason}`;
}

async function agrees(testCase: XmodZipCase, zipFile: string, shownPrefix: string): Promise<void> {
  const mod = { path: testCase.path, version: testCase.version };
  // The test data's invalid byte is held as a lone surrogate (decodeKeepingInvalidBytes), which our %q prints as such.
  const wantErr = testCase.wantErr?.replace(/\\x([0-9a-f]{2})/g, '\\udc$1');
  if (wantErr !== undefined) {
    await assert.rejects(inspectModuleZip(zipFile, mod), (error: unknown) => {
      assert.ok(error instanceof ModuleZipError, `expected a ModuleZipError, got ${String(error)}`);
      assert.ok(goMessage(error, shownPrefix).includes(wantErr), `${testCase.name}: got ${JSON.stringify(goMessage(error, shownPrefix))}, want it to contain ${JSON.stringify(wantErr)}`);
      return true;
    });
    return;
  }
  const inspected = await inspectModuleZip(zipFile, mod);
  if (testCase.hash !== undefined) {
    assert.equal(inspected.h1, testCase.hash, `${testCase.name}: h1 of inspectModuleZip`);
    assert.equal(await hashModuleZip(zipFile), testCase.hash, `${testCase.name}: h1 of hashModuleZip`);
  }
}

describe('x/mod zip test data: create (the zip Create writes from these files)', () => {
  for (const testCase of loadXmodZipCases('create')) {
    test(testCase.name, async () => {
      const prefix = `${testCase.path}@${testCase.version}/`;
      const entries = filesCreateKeeps(testCase.archive.files).map(({ name, data }) => ({ name: prefix + name, data }));
      await agrees(testCase, await saveZip(testCase, entries), prefix);
    });
  }
});

describe('x/mod zip test data: unzip (the zip as given)', () => {
  for (const testCase of loadXmodZipCases('unzip')) {
    test(testCase.name, async () => {
      await agrees(testCase, await saveZip(testCase, testCase.archive.files), '');
    });
  }
});

describe('x/mod zip test data: check_zip (every entry judged, as CheckZip lists them)', () => {
  for (const testCase of loadXmodZipCases('check_zip')) {
    test(testCase.name, async () => {
      const want = testCase.archive.files.find((f) => f.name === 'want')?.data.toString('utf8');
      assert.ok(want !== undefined, `${testCase.name} has a want section`);
      const zipFile = await saveZip(testCase, testCase.archive.files.filter((f) => f.name !== 'want'));
      const mod = { path: testCase.path, version: testCase.version };

      // One checker over our own reading of the zip, so each entry's verdict is known, as CheckZip lists them.
      const checker = new ModuleZipListingChecker(mod);
      const valid: string[] = [];
      const problems: ModuleZipProblem[] = [];
      for await (const entry of readZipEntries(zipFile)) {
        const problem = checker.check({ name: entry.name, size: entry.uncompressedSize, isDirectory: entry.isDirectory });
        if (problem !== undefined) problems.push(problem);
        else if (!entry.isDirectory && entry.name !== checker.prefix) valid.push(entry.name);
      }
      const got = ['valid:', ...valid, '', 'omitted:', '', 'invalid:', ...problems.map((p) => `${p.entry}: ${p.reason}`), ''].join('\n');
      assert.equal(got, want, testCase.name);

      if (problems.length === 0) {
        await inspectModuleZip(zipFile, mod);
      } else {
        await assert.rejects(inspectModuleZip(zipFile, mod), (error: unknown) => {
          assert.ok(error instanceof ModuleZipError);
          assert.deepEqual({ entry: error.entry, reason: error.reason }, problems[0]);
          return true;
        });
      }
    });
  }
});
