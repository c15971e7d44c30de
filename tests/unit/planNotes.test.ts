import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PLAN_WARNING_KINDS, SHIP_REASON_KINDS, type PlanWarning, type ShipReason } from '../../shared/export/planNotes';
import { planWarningText, shipReasonText } from '../../shared/export/planNotesText';
import { planWarningWords, shipReasonWords } from '../../renderer/src/export/planNotesWords';
import { translator } from '../../renderer/src/i18n/catalog';

const warnings: Record<PlanWarning['kind'], PlanWarning> = {
  'no-go-sum': { kind: 'no-go-sum', file: '/p/go.mod' },
  'excluded-require': { kind: 'excluded-require', at: '/p/go.mod:5', module: 'example.com/x', version: 'v1.0.0', excludeAt: '/p/go.mod:9', vanishes: true },
  'exclude-drops': { kind: 'exclude-drops', at: '/p/go.mod:9', module: 'example.com/x', version: 'v1.0.0', requiredBy: 'example.com/a@v1.0.0', vanishes: false },
  'directory-replace': { kind: 'directory-replace', at: '/p/go.mod:7', replaced: 'example.com/y', dir: '../y' },
  'tidy-compat': { kind: 'tidy-compat', file: '/p/go.mod', differing: [{ path: 'example.com/c', version: 'v1.3.0', built: 'v1.2.0' }, { path: 'example.com/d', version: 'v1.0.0' }], more: 2 },
  'outside-pruned-graph': { kind: 'outside-pruned-graph', module: 'example.com/z@v1.0.0', detail: 'example.com/z@v1.0.0 (required by example.com/a@v1.0.0): not found' },
  deprecated: { kind: 'deprecated', module: 'example.com/old', version: 'v1.2.0', notice: 'use example.com/new.' },
  retracted: { kind: 'retracted', module: 'example.com/old', version: 'v1.0.0', rationale: 'broken', latest: 'v1.2.0' },
  'drive-unknown': { kind: 'drive-unknown', folder: '/x', detail: 'lsblk: not found' },
  'not-removable': { kind: 'not-removable', folder: '/tmp/out', on: { system: true, device: '/dev/vda', mountpoint: '/' } },
  'abandoned-removed': { kind: 'abandoned-removed', dir: '/media/usb/mf-1', writer: { pid: 4242, host: 'desktop', gone: 'exited' }, kept: ['notes.txt'] },
  'proofs-unavailable': { kind: 'proofs-unavailable', database: 'sum.golang.org', reason: 'connection refused' },
  'proofs-unknown': { kind: 'proofs-unknown', database: 'sum.golang.org', modules: ['example.com/new@v1.0.0'] },
  'proof-cleanup': { kind: 'proof-cleanup', detail: 'EACCES' },
  'go-too-old': { kind: 'go-too-old', file: '/src/app/go.mod', needs: '1.22.3', go: '1.19.8' },
};
const reasons: ShipReason[] = [
  { kind: 'selected', root: '/p/go.mod' },
  { kind: 'required-by', by: 'example.com/a@v1.0.0', root: '/p/go.mod', replacement: { replaces: 'example.com/b@v1.0.0', at: '/p/go.mod:8' } },
  { kind: 'root-requires', root: '/p/go.mod' },
  { kind: 'requested', root: 'requests.txt' },
  { kind: 'retractions', module: 'example.com/r' },
  { kind: 'toolchain', toolchain: 'go1.22.3', platform: 'linux/amd64', detail: 'toolchain asked for with --toolchain go1.22.3' },
];

describe('the reasons and warnings of a plan', () => {
  test('the CLI words them as it always has', () => {
    assert.equal(planWarningText(warnings['tidy-compat']), '/p/go.mod: Go 1.16 would select other versions (example.com/c v1.3.0 over v1.2.0, example.com/d v1.0.0 and 2 more), which go mod tidy checks by default; the bundle carries only what this go version builds with, so offline tidy with go mod tidy -compat=1.17');
    assert.equal(shipReasonText(reasons[1]!), 'required by example.com/a@v1.0.0 (via /p/go.mod), as the replacement for example.com/b@v1.0.0 (/p/go.mod:8)');
  });

  test('a retracted version is named with its author\'s reason and what to move to, or that nothing is left to move to', () => {
    const { rationale: _, ...unexplained } = warnings.retracted as Extract<PlanWarning, { kind: 'retracted' }>;
    const { latest: __, ...nothingLeft } = unexplained;
    assert.equal(planWarningText(warnings.retracted), "example.com/old@v1.0.0: retracted by the module's author (broken): move to v1.2.0, its latest version, when you can (go get example.com/old@latest)");
    assert.equal(planWarningText(nothingLeft), "example.com/old@v1.0.0: retracted by the module's author, as is every other version of it: look for another module to do its work");
    const en = translator('en');
    const zh = translator('zh-CN');
    assert.equal(planWarningWords(warnings.retracted, en), 'example.com/old@v1.0.0: the module’s author retracted this version (broken). Move to v1.2.0, its latest version, when you can (go get example.com/old@latest).');
    assert.equal(planWarningWords(nothingLeft, en), 'example.com/old@v1.0.0: the module’s author retracted this version. Every other version of it is retracted too: look for another module to do its work.');
    assert.equal(planWarningWords(warnings.retracted, zh), 'example.com/old@v1.0.0：模块作者已撤回此版本（broken）。请尽早改用其最新版本 v1.2.0（go get example.com/old@latest）。');
    assert.equal(planWarningWords(unexplained, zh), 'example.com/old@v1.0.0：模块作者已撤回此版本。请尽早改用其最新版本 v1.2.0（go get example.com/old@latest）。');
  });

  test('the app words every kind in each language, keeping names and paths, with no placeholder left open', () => {
    assert.deepEqual(Object.keys(warnings).sort(), [...PLAN_WARNING_KINDS].sort());
    assert.deepEqual(reasons.map((r) => r.kind), [...SHIP_REASON_KINDS]);
    const zh = translator('zh-CN');
    for (const t of [translator('en'), zh]) {
      for (const warning of Object.values(warnings)) {
        const words = planWarningWords(warning, t);
        assert.doesNotMatch(words, /\{\w+\}/, words);
        for (const name of ['file', 'module', 'folder', 'dir'] as const) {
          const value = (warning as Partial<Record<typeof name, string>>)[name];
          if (value !== undefined) assert.ok(words.includes(value), `${warning.kind}: ${words} names ${value}`);
        }
      }
      for (const reason of reasons) assert.doesNotMatch(shipReasonWords(reason, t), /\{\w+\}/);
    }
    assert.equal(planWarningWords(warnings['no-go-sum'], zh), '/p/go.mod：旁边没有 go.sum，因此它需要的内容都没有与已知哈希核对。请运行“go mod tidy”记录哈希。');
    assert.equal(shipReasonWords(reasons[1]!, zh), 'example.com/a@v1.0.0 需要（经由 /p/go.mod），作为 example.com/b@v1.0.0 的替换（/p/go.mod:8）');
    // Who needs a zip: the module requiring the version selected, when the go.mod does not itself.
    const selectedFor = { kind: 'selected', root: '/p/go.mod', by: 'example.com/a@v1.0.0' } as const;
    assert.equal(shipReasonText(selectedFor), 'selected by MVS for /p/go.mod, required by example.com/a@v1.0.0');
    assert.equal(shipReasonWords(selectedFor, translator('en')), 'Selected by minimal version selection for /p/go.mod, required by example.com/a@v1.0.0');
    assert.equal(shipReasonWords(selectedFor, zh), '最小版本选择为 /p/go.mod 选定，example.com/a@v1.0.0 需要');
    // How an abandoned bundle's writer is known to be gone, in each language and in the CLI's English.
    const restarted = { ...warnings['abandoned-removed'], writer: { pid: 77, host: 'desktop', gone: 'restarted' as const } };
    assert.equal(planWarningWords(warnings['abandoned-removed'], zh), '已删除未完成的模块包 /media/usb/mf-1，它是一次未完成的导出留下的；保留了不属于 ModFerry 的内容：notes.txt。写入它的导出进程（4242）已不在运行。');
    assert.match(planWarningWords(restarted, translator('en')), / The export that wrote it \(process 77\) ran before desktop last restarted\.$/);
    assert.equal(planWarningText(restarted), "removed the unfinished bundle /media/usb/mf-1 left by an export that did not complete (written by pid 77 before desktop last restarted); kept what is not ModFerry's: notes.txt");
  });
});
