import path from 'node:path';
import { unescapePath, unescapeVersion } from '../../../shared/gomod/modulePath';
import { ModFerryError } from '../errors/modferryError';

/** A package the project's code (or a dependency's) imports that no module in its go.mod's graph provides. */
export interface UnprovidedImport {
  importPath: string;
  /** The importing file: relative to the project, or the `module@version` it lies in. */
  importedBy: string;
}

/**
 * The imports the go command's package load could not find a module for, from its error output
 * (`main.go:5:2: cannot find module providing package P: ...`). Offline, with -mod=mod, the go
 * command looks such a package up in the proxy, which holds nothing the go.mod does not lead to:
 * the project is not tidy, and no bundle made from its go.mod can supply the package.
 */
export function unprovidedImports(stderr: string, workDir: string, modCache: string): UnprovidedImport[] {
  const found = new Map<string, UnprovidedImport>();
  for (const line of stderr.split('\n')) {
    const match = /^(?:can't load test package: )?(.+?):\d+:\d+: cannot find module providing package (\S+?):/.exec(line.trim());
    if (match === null) continue;
    const [, file, importPath] = match as unknown as [string, string, string];
    const importedBy = importingFile(file, workDir, modCache);
    found.set(`${importPath} ${importedBy}`, { importPath, importedBy });
  }
  return [...found.values()];
}

function importingFile(file: string, workDir: string, modCache: string): string {
  const absolute = path.resolve(workDir, file);
  const inCache = path.relative(modCache, absolute);
  if (!inCache.startsWith('..') && !path.isAbsolute(inCache)) {
    // `<escaped module path>@<escaped version>/<file in the module>`
    const parts = inCache.split(path.sep);
    const at = parts.findIndex((part) => part.includes('@'));
    if (at >= 0) {
      const [last, version] = parts[at]!.split('@') as [string, string];
      return `${unescapePath([...parts.slice(0, at), last].join('/'))}@${unescapeVersion(version)}`;
    }
  }
  const inProject = path.relative(workDir, absolute);
  return inProject.startsWith('..') || path.isAbsolute(inProject) ? file : inProject.split(path.sep).join('/');
}

/** The go check's failure when the project imports packages its go.mod's graph does not provide. */
export function unprovidedImportsError(goModFile: string, imports: readonly UnprovidedImport[]): ModFerryError {
  return new ModFerryError(
    'go-check',
    `not tidy: no module in this go.mod's requirements provides\n  ${imports.map((i) => `${i.importPath} (imported by ${i.importedBy})`).join('\n  ')}\n` +
      "Online, the go command would look each up and add its module to go.mod; offline there is nothing to look it up in. Run 'go mod tidy' in the project, here where the upstream is reachable, and export again.",
    { file: goModFile },
    { problem: 'go-mod-not-tidy' },
  );
}
