import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { MAX_GO_MOD_BYTES } from '../../../shared/gomod/moduleZipRules';
import type { SourceAnswer } from '../../../shared/ipc/sourcesChannel';
import { goModAsks, pastedLinesAsk, requestFileAsks, sourceProblem, type SourceProblem, type SourceReadProblem } from '../../../shared/sources/exportSource';

export interface ExportSources {
  goModFiles?: readonly string[];
  projectDirs?: readonly string[];
  requestFiles?: readonly string[];
  pasted?: string;
}

/** What each source asks for (see shared/sources/exportSource); a source that cannot be read answers its problem, the others still answer. */
export async function inspectSources(sources: ExportSources): Promise<SourceAnswer[]> {
  const answers: SourceAnswer[] = [];
  for (const file of sources.goModFiles ?? []) {
    const text = await readSourceText(file);
    answers.push({ kind: 'goMod', source: file, file, ...(typeof text === 'string' ? asksOrProblem(goModAsks(text, file)) : { problem: text }) });
  }
  for (const dir of sources.projectDirs ?? []) {
    const file = path.join(dir, 'go.mod');
    const text = await readSourceText(file, { reason: 'no go.mod in this folder: is it a Go module\'s folder?', coded: { code: 'no-go-mod' } });
    answers.push({ kind: 'project', source: dir, file, ...(typeof text === 'string' ? asksOrProblem(goModAsks(text, file)) : { problem: text }) });
  }
  for (const file of sources.requestFiles ?? []) {
    const text = await readSourceText(file);
    const asks = typeof text === 'string' ? requestFileAsks(text, file) : text;
    answers.push({ kind: 'requestFile', source: file, file, ...('requests' in asks ? { requests: asks.requests } : { problem: asks }) });
  }
  for (const line of pastedLinesAsk(sources.pasted ?? '')) {
    answers.push('problem' in line ? { kind: 'pasted', source: line.text, line: line.line, problem: line.problem } : { kind: 'pasted', source: line.text, line: line.line, path: line.path, version: line.version });
  }
  return answers;
}

function asksOrProblem(result: ReturnType<typeof goModAsks>): { asks: Exclude<ReturnType<typeof goModAsks>, SourceProblem> } | { problem: SourceProblem } {
  return 'reason' in result ? { problem: result } : { asks: result };
}

// A go.mod or request file larger than the go command reads is not one; a huge file must not fill memory.
async function readSourceText(file: string, missing: { reason: string; coded: SourceReadProblem } = { reason: 'no such file', coded: { code: 'missing' } }): Promise<string | SourceProblem> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) return sourceProblem(new Error('is a folder, not a file'), file, { code: 'folder' });
    if (info.size > MAX_GO_MOD_BYTES) return sourceProblem(new Error(`is ${info.size} bytes, larger than any go.mod or request file`), file, { code: 'too-large', bytes: info.size });
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return sourceProblem(new Error(missing.reason), file, missing.coded);
    const errno = code ?? String(error);
    return sourceProblem(new Error(`cannot read (${errno})`), file, { code: 'unreadable', errno });
  }
}
