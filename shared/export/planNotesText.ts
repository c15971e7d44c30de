/** The English words for a plan's reasons and warnings: what the CLI prints and logs keep. */
import type { PlanWarning, ShipReason } from './planNotes';

export function shipReasonText(reason: ShipReason): string {
  const note = reason.replacement === undefined ? '' : `, as the replacement for ${reason.replacement.replaces} (${reason.replacement.at})`;
  return reasonText(reason) + note;
}

function reasonText(reason: ShipReason): string {
  switch (reason.kind) {
    case 'selected':
      return `selected by MVS for ${reason.root}${reason.by === undefined ? '' : `, required by ${reason.by}`}`;
    case 'required-by':
      return `required by ${reason.by} (via ${reason.root})`;
    case 'root-requires':
      return `required by ${reason.root}`;
    case 'requested':
      return `requested by ${reason.root}`;
    case 'retractions':
      return `its go.mod holds the retractions ${reason.module}@latest honours`;
    case 'toolchain':
      return `${reason.detail}, ${reason.platform}`;
  }
}

export function planWarningText(warning: PlanWarning): string {
  const vanished = (vanishes: boolean, path: string): string =>
    vanishes ? `; that leaves no version of ${path} in the build list, so if the project imports it the go command will look it up online: run go mod tidy before exporting` : '';
  switch (warning.kind) {
    case 'no-go-sum':
      return `${warning.file}: no go.sum beside it, so nothing it needs was checked against known hashes (run 'go mod tidy' to record them)`;
    case 'excluded-require':
      return `${warning.at}: require ${warning.module} ${warning.version} is excluded (${warning.excludeAt}): the go command drops it${vanished(warning.vanishes, warning.module)}`;
    case 'exclude-drops':
      return `${warning.at}: exclude ${warning.module} ${warning.version} drops the requirement of ${warning.requiredBy} on it${vanished(warning.vanishes, warning.module)}`;
    case 'directory-replace':
      return `${warning.at}: replace ${warning.replaced} => ${warning.dir}: directory replacement skipped: ship that folder yourself (the requirements in its go.mod are not followed)`;
    case 'tidy-compat': {
      const shown = warning.differing.map((d) => (d.built === undefined ? `${d.path} ${d.version}` : `${d.path} ${d.version} over ${d.built}`)).join(', ');
      const more = warning.more > 0 ? ` and ${warning.more} more` : '';
      return `${warning.file}: Go 1.16 would select other versions (${shown}${more}), which go mod tidy checks by default; ` +
        'the bundle carries only what this go version builds with, so offline tidy with go mod tidy -compat=1.17';
    }
    case 'outside-pruned-graph':
      return `${warning.detail}: skipped, as it lies outside the pruned module graph the go command builds with; only Go 1.16 and go mod tidy -compat=1.16 read it`;
    case 'deprecated':
      return `${warning.module}@${warning.version}: its go.mod says the module is deprecated: ${warning.notice}`;
    case 'retracted': {
      const retracted = `${warning.module}@${warning.version}: retracted by the module's author${warning.rationale === undefined ? '' : ` (${warning.rationale})`}`;
      return warning.latest === undefined
        ? `${retracted}, as is every other version of it: look for another module to do its work`
        : `${retracted}: move to ${warning.latest}, its latest version, when you can (go get ${warning.module}@latest)`;
    }
    case 'drive-unknown':
      return `${warning.folder}: cannot tell whether it is on a removable drive (listing the drives failed: ${warning.detail})`;
    case 'not-removable':
      return warning.on === undefined
        ? `${warning.folder} is not on a removable drive (no listed drive holds it)`
        : `${warning.folder} is not on a removable drive (it is on ${warning.on.system ? 'the system drive' : 'a fixed drive'} ${warning.on.device}, mounted at ${warning.on.mountpoint})`;
    case 'abandoned-removed': {
      const kept = warning.kept.length === 0 ? '' : `; kept what is not ModFerry's: ${warning.kept.join(', ')}`;
      const { pid, host, gone } = warning.writer;
      const why = gone === 'restarted' ? `written by pid ${pid} before ${host} last restarted` : `written by pid ${pid}, which is no longer running`;
      return `removed the unfinished bundle ${warning.dir} left by an export that did not complete (${why})${kept}`;
    }
    case 'proofs-unavailable':
      return `checksum database ${warning.database} could not be asked (${warning.reason}): the bundle carries no proofs, so offline the go command needs GONOSUMDB (or GOSUMDB=off) for these modules`;
    case 'proofs-unknown': {
      const them = warning.modules.length === 1 ? 'it' : 'them';
      return `checksum database ${warning.database} has no record of ${warning.modules.join(', ')}: the bundle carries no proof of ${them}, so offline the go command refuses ${them} unless GONOSUMDB covers ${them}`;
    }
    case 'proof-cleanup':
      return `could not remove the go command's scratch folders after the proof: ${warning.detail}`;
    case 'go-too-old':
      return warning.module === undefined
        ? `${warning.file} asks for Go ${warning.needs}, and this machine's go command is go${warning.go}, too old to read it: that project was not proven with the go command (install Go ${warning.needs} or later here to prove it)`
        : `${warning.file}: its dependency ${warning.module} asks for Go ${warning.needs}, and this machine's go command is go${warning.go}, which refuses it with GOTOOLCHAIN=local: that project was not proven with the go command (install Go ${warning.needs} or later here to prove it)`;
  }
}
