import type { PlanWarning, ShipReason } from '../../../shared/export/planNotes';
import type { Translate } from '../i18n/catalog';

/** Why a module version ships, in the operator's language. */
export function shipReasonWords(reason: ShipReason, t: Translate): string {
  const said = ((): string => {
    switch (reason.kind) {
      case 'selected':
        return reason.by === undefined ? t('plan.reason.selected', { root: reason.root }) : t('plan.reason.selected-by', { root: reason.root, by: reason.by });
      case 'required-by':
        return t('plan.reason.required-by', { by: reason.by, root: reason.root });
      case 'root-requires':
        return t('plan.reason.root-requires', { root: reason.root });
      case 'requested':
        return t('plan.reason.requested', { root: reason.root });
      case 'retractions':
        return t('plan.reason.retractions', { module: reason.module });
      case 'toolchain':
        return t('plan.reason.toolchain', { toolchain: reason.toolchain, platform: reason.platform });
    }
  })();
  return reason.replacement === undefined ? said : t('plan.reason.replacement', { reason: said, replaces: reason.replacement.replaces, at: reason.replacement.at });
}

/** A plan's or a run's warning, in the operator's language; names, paths and versions stay as they are. */
export function planWarningWords(warning: PlanWarning, t: Translate): string {
  switch (warning.kind) {
    case 'no-go-sum':
      return t('plan.warning.no-go-sum', { file: warning.file });
    case 'excluded-require': {
      const said = t('plan.warning.excluded-require', { at: warning.at, module: warning.module, version: warning.version, excludeAt: warning.excludeAt });
      return warning.vanishes ? `${said} ${t('plan.warning.vanishes', { module: warning.module })}` : said;
    }
    case 'exclude-drops': {
      const said = t('plan.warning.exclude-drops', { at: warning.at, module: warning.module, version: warning.version, requiredBy: warning.requiredBy });
      return warning.vanishes ? `${said} ${t('plan.warning.vanishes', { module: warning.module })}` : said;
    }
    case 'directory-replace':
      return t('plan.warning.directory-replace', { at: warning.at, replaced: warning.replaced, dir: warning.dir });
    case 'tidy-compat': {
      const versions = warning.differing.map((d) => (d.built === undefined ? `${d.path} ${d.version}` : t('plan.warning.tidy-compat.over', { module: `${d.path} ${d.version}`, built: d.built })));
      const listed = warning.more > 0 ? t('plan.warning.tidy-compat.more', { versions: versions.join(', '), count: warning.more }) : versions.join(', ');
      return t('plan.warning.tidy-compat', { file: warning.file, versions: listed });
    }
    case 'outside-pruned-graph':
      return t('plan.warning.outside-pruned-graph', { module: warning.module });
    case 'deprecated':
      return t('plan.warning.deprecated', { module: `${warning.module}@${warning.version}`, notice: warning.notice });
    case 'retracted': {
      const module = `${warning.module}@${warning.version}`;
      const said = warning.rationale === undefined ? t('plan.warning.retracted', { module }) : t('plan.warning.retracted.because', { module, rationale: warning.rationale });
      const next = warning.latest === undefined ? t('plan.warning.retracted.none') : t('plan.warning.retracted.latest', { latest: warning.latest, path: warning.module });
      return t('plan.warning.sentences', { first: said, second: next });
    }
    case 'drive-unknown':
      return t('plan.warning.drive-unknown', { folder: warning.folder });
    case 'not-removable':
      return warning.on === undefined
        ? t('plan.warning.not-removable', { folder: warning.folder })
        : t(warning.on.system ? 'plan.warning.not-removable.system' : 'plan.warning.not-removable.fixed', { folder: warning.folder, device: warning.on.device, mountpoint: warning.on.mountpoint });
    case 'abandoned-removed': {
      const said = warning.kept.length === 0
        ? t('plan.warning.abandoned-removed', { dir: warning.dir })
        : t('plan.warning.abandoned-removed.kept', { dir: warning.dir, kept: warning.kept.join(', ') });
      const { pid, host, gone } = warning.writer;
      const why = gone === 'restarted' ? t('plan.warning.abandoned-removed.restarted', { pid: String(pid), host }) : t('plan.warning.abandoned-removed.exited', { pid: String(pid) });
      return t('plan.warning.sentences', { first: said, second: why });
    }
    case 'proofs-unavailable':
      return t('plan.warning.proofs-unavailable', { database: warning.database });
    case 'proofs-unknown':
      return t('plan.warning.proofs-unknown', { database: warning.database, modules: warning.modules.join(', ') });
    case 'proof-cleanup':
      return t('plan.warning.proof-cleanup');
    case 'go-too-old':
      return warning.module === undefined
        ? t('plan.warning.go-too-old', { file: warning.file, needs: warning.needs, go: warning.go })
        : t('plan.warning.go-too-old.dependency', { file: warning.file, module: warning.module, needs: warning.needs, go: warning.go });
  }
}
