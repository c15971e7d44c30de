/**
 * The answers to `<module>/@v/list` and `<module>/@latest`, worked out once per module and kept
 * until the store's files change, so a module with thousands of versions answers as fast as a
 * file and a burst of such requests costs one catalog query. Imports run in another process (or
 * through another connection), so the store's generation is checked, at most every
 * `checkEveryMs`; the first request after it moved works the answers out again.
 *
 * The list names the tagged versions held in full, as the go command's own proxies do: it ignores
 * pseudo-versions in a list (modfetch's proxyRepo.Versions) and reaches them through @latest.
 * It also names a tag held without its zip whose own go.mod retracts it: an export ships such a
 * version's .mod only to carry the retractions the go command reads from the newest listed
 * version, and since it retracts itself the go command never picks it. Without it in the list,
 * the go command would read its retractions from an older go.mod and pick a retracted version.
 * @latest follows latestForProxy, reading the retractions from the stored go.mod files.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseGoMod } from '../../../shared/gomod/goModFile';
import { isRetracted, latestForProxy, type VersionInterval } from '../../../shared/gomod/latest';
import { sortVersions } from '../../../shared/gomod/semver';
import { isPseudoVersion } from '../../../shared/gomod/pseudoVersion';
import { bodyEtag, JSON_TYPE } from './httpReplies';
import { BoundedMap } from './boundedMap';
import type { ProxyStore } from './proxyStore';
import { servedFile, SHORT_LIVED, type ServedFile } from './servedFile';

export interface VersionList {
  /** One version a line, lowest first; empty when only pseudo-versions are held. */
  body: Buffer;
  etag: string;
}

export interface ModuleAnswersOptions {
  /** How stale an answer may be after an import commits. Default 200 ms. */
  checkEveryMs?: number;
  /** Modules whose answers are kept. Default 10,000. */
  limit?: number;
  /** Called when the store's files changed: what else the server remembers of them must go too. */
  onChange?: () => void;
}

interface Answers {
  /** Versions whose .info, .mod and .zip are all held, lowest first. */
  held: string[];
  /** held, and the tags held without a zip that retract themselves, lowest first: what the list offers. */
  offered: string[];
  list?: VersionList;
  latest?: ServedFile | null;
}

export class ModuleAnswers {
  private readonly byModule: BoundedMap<string, Answers>;
  private readonly checkEveryMs: number;
  private generation: number;
  private checkedAt: number;
  private readonly onChange: () => void;

  constructor(private readonly store: Pick<ProxyStore, 'versions' | 'zipVersions' | 'file' | 'generation'>, options: ModuleAnswersOptions = {}) {
    this.byModule = new BoundedMap(options.limit ?? 10_000);
    this.checkEveryMs = options.checkEveryMs ?? 200;
    this.generation = store.generation();
    this.checkedAt = performance.now();
    this.onChange = options.onChange ?? (() => {});
  }

  /** The @v/list answer, or undefined when the store holds no version of the module in full. */
  list(modulePath: string): VersionList | undefined {
    const answers = this.answers(modulePath);
    if (answers.held.length === 0) return undefined;
    if (answers.list === undefined) {
      const body = Buffer.from(answers.offered.filter((v) => !isPseudoVersion(v)).map((v) => `${v}\n`).join(''));
      answers.list = { body, etag: bodyEtag(body) };
    }
    return answers.list;
  }

  /** The .info of the version @latest answers, or undefined when there is none to answer. */
  latest(modulePath: string): ServedFile | undefined {
    const answers = this.answers(modulePath);
    if (answers.latest === undefined) {
      const version = latestForProxy(answers.offered, (v) => this.retractions(modulePath, v));
      const info = version === undefined || !answers.held.includes(version) ? undefined : this.store.file(modulePath, version, 'info');
      answers.latest = info === undefined ? null : servedFile(info, JSON_TYPE, SHORT_LIVED);
    }
    return answers.latest ?? undefined;
  }

  private answers(modulePath: string): Answers {
    this.forgetIfChanged();
    let answers = this.byModule.get(modulePath);
    if (answers === undefined) {
      const zips = new Set(this.store.zipVersions(modulePath));
      const versions = this.store.versions(modulePath);
      const held = versions.filter((v) => zips.has(v));
      const carriers = held.length === 0 ? [] : versions.filter((v) => !zips.has(v) && !isPseudoVersion(v) && isRetracted(v, this.retractions(modulePath, v)));
      answers = { held, offered: carriers.length === 0 ? held : sortVersions([...held, ...carriers]) };
      this.byModule.set(modulePath, answers);
    }
    return answers;
  }

  /**
   * Forgets every answer once the store's files changed (an import, or a repair that restored or
   * forgot files, in any process); checks at most every checkEveryMs, so it is cheap on every request.
   */
  forgetIfChanged(): void {
    const now = performance.now();
    if (now - this.checkedAt < this.checkEveryMs) return;
    this.checkedAt = now;
    const generation = this.store.generation();
    if (generation === this.generation) return;
    this.generation = generation;
    this.byModule.clear();
    this.onChange();
  }

  /** As the go command does, a go.mod that cannot be read or parsed retracts nothing. */
  private retractions(modulePath: string, version: string): VersionInterval[] {
    const mod = this.store.file(modulePath, version, 'mod');
    if (mod === undefined) return [];
    try {
      return parseGoMod(readFileSync(mod.file, 'utf8'), mod.file, { lax: true }).retract;
    } catch {
      return [];
    }
  }
}
