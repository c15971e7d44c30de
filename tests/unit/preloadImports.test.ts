import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

test('the preload, as compiled, requires nothing but electron (a sandboxed preload can require nothing else)', () => {
  const source = readFileSync(path.join(__dirname, '..', '..', 'electron', 'preload', 'preload.ts'), 'utf8');
  const compiled = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const required = [...compiled.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
  assert.deepEqual(required, ['electron']);
});
