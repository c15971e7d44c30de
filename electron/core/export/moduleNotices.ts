/**
 * What a module's author says, in the go.mod of its latest version, about a version a project uses: the
 * go command reads a module's retractions and its deprecation from that one go.mod, never from the
 * go.mod of the version in use (modload.CheckRetractions, CheckDeprecation).
 */
import type { PlanWarning } from '../../../shared/export/planNotes';
import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import { compare } from '../../../shared/gomod/semver';

export interface AuthorsWord {
  /** The `retract` directives of that go.mod, with their rationales ('' when none is given). */
  retract: ReadonlyArray<{ low: string; high: string; rationale: string }>;
  /** Its module line's `// Deprecated:` notice. */
  deprecated?: string;
  /** What `path@latest` answers, honouring those retractions; absent when every version is retracted. */
  latest?: string;
}

/** The 'retracted' and 'deprecated' warnings for one version of a module that ships, in that order. */
export function moduleNotices(m: ModuleVersion, word: AuthorsWord): PlanWarning[] {
  const notices: PlanWarning[] = [];
  // Bounds compare by semver precedence, as the go command compares them: build metadata is ignored.
  const covering = word.retract.filter(({ low, high }) => compare(low, m.version) <= 0 && compare(m.version, high) <= 0);
  if (covering.length > 0) {
    const rationale = covering.map((r) => shortRationale(r.rationale)).find((r) => r !== undefined);
    notices.push({
      kind: 'retracted',
      module: m.path,
      version: m.version,
      ...(rationale === undefined ? {} : { rationale }),
      ...(word.latest === undefined ? {} : { latest: word.latest }),
    });
  }
  if (word.deprecated !== undefined) notices.push({ kind: 'deprecated', module: m.path, version: m.version, notice: word.deprecated });
  return notices;
}

/** Longer than this, a rationale is left out, as the go command leaves it out of its terminal line. */
const MAX_RATIONALE_BYTES = 500;

/**
 * A retraction's rationale fit for one line of a terminal or a screen (modload.ShortRetractionRationale):
 * its first line; none when that is empty, too long, or holds characters that are not printable, since
 * a go.mod is anyone's text.
 */
export function shortRationale(rationale: string): string | undefined {
  const line = rationale.split('\n', 1)[0]!.trim();
  if (line === '' || Buffer.byteLength(line) > MAX_RATIONALE_BYTES) return undefined;
  return [...line].every((c) => !/\p{C}/u.test(c) || /\s/u.test(c)) ? line : undefined;
}
