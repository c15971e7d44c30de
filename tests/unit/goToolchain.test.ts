import { describe, test } from 'node:test';
import { shipReasonText } from '../../shared/export/planNotesText';
import assert from 'node:assert/strict';
import { parseGoMod } from '../../shared/gomod/goModFile';
import { parsePlatformList, platformProblem } from '../../shared/gomod/goPlatforms';
import { compareGoVersions, isLanguageVersion, neededToolchain, toolchainGoVersion, toolchainModuleVersion, toolchainNameProblem } from '../../shared/gomod/goToolchain';
import { hostPlatform } from '../../electron/core/export/hostPlatform';
import { wantedToolchains } from '../../electron/core/export/toolchains';
import { toolchainFacts } from '../../electron/core/serve/toolchainFacts';
import { exportPlanRequest } from '../../shared/ipc/exportChannel';
import { settingsPatchSchema } from '../../shared/settings/appSettings';

describe('Go toolchain versions', () => {
  test('compare as gover does: 1.21 < 1.21rc1 < 1.21.0, and before 1.21 a missing patch is .0', () => {
    const ascending = ['bad', '1.19', '1.20rc1', '1.20', '1.20.1', '1.21', '1.21rc1', '1.21rc2', '1.21.0', '1.21.10', '1.22', '1.22beta1', '1.22rc1', '1.22.0', '1.100.0'];
    for (let i = 0; i < ascending.length; i++) {
      for (let j = 0; j < ascending.length; j++) {
        assert.equal(Math.sign(compareGoVersions(ascending[i]!, ascending[j]!)), Math.sign(i - j), `${ascending[i]} vs ${ascending[j]}`);
      }
    }
    assert.equal(compareGoVersions('1.20', '1.20.0'), 0);
    assert.equal(compareGoVersions('x', '1.21.3rc1'), 0, 'a prerelease of a patch release is malformed, like any other');
    assert.ok(isLanguageVersion('1.22') && !isLanguageVersion('1.22.0') && !isLanguageVersion('1.22rc1'));
  });

  test('toolchain names: release and prerelease names of go1.21 and later, as golang.org/toolchain versions', () => {
    assert.equal(toolchainGoVersion('go1.22.3-bigcorp'), '1.22.3');
    assert.equal(toolchainGoVersion('1.22.3'), undefined);
    for (const name of ['go1.21.0', 'go1.22.3', 'go1.21rc2', 'go1.23rc1', 'go1.24beta1']) assert.equal(toolchainNameProblem(name), undefined, name);
    assert.match(toolchainNameProblem('go1.22')!, /go1\.22 is a language version, not a release: its first release is go1\.22\.0/);
    assert.match(toolchainNameProblem('go1.20.14')!, /from go1\.21\.0 on/);
    assert.match(toolchainNameProblem('1.22.3')!, /expected a Go release name such as go1\.22\.3/);
    assert.match(toolchainNameProblem('go1.22.3-bigcorp')!, /expected a Go release name/);
    assert.match(toolchainNameProblem('go1.22.03')!, /expected a Go release name/);
    assert.equal(toolchainModuleVersion('go1.22.3', 'linux/amd64'), 'v0.0.1-go1.22.3.linux-amd64');
    assert.equal(toolchainModuleVersion('go1.23rc1', 'windows/arm64'), 'v0.0.1-go1.23rc1.windows-arm64');
  });

  test('the toolchain a go.mod switches an older go command to, as toolchain.Select picks it', () => {
    const needed = (text: string) => neededToolchain(parseGoMod(`module example.com/m\n${text}`, 'go.mod'));
    assert.deepEqual(needed('go 1.22.3\ntoolchain go1.22.4\n'), { name: 'go1.22.4', directive: 'toolchain go1.22.4', line: 3 });
    assert.deepEqual(needed('go 1.22.3\n'), { name: 'go1.22.3', directive: 'go 1.22.3', line: 2 });
    assert.deepEqual(needed('go 1.22\n'), { name: 'go1.22.0', directive: 'go 1.22', line: 2 }, 'a language version means its first release');
    assert.deepEqual(needed('go 1.21rc2\n'), { name: 'go1.21rc2', directive: 'go 1.21rc2', line: 2 });
    assert.deepEqual(needed('go 1.23.1\ntoolchain go1.22.4\n'), { name: 'go1.23.1', directive: 'go 1.23.1', line: 2 }, 'a go line newer than the toolchain line wins');
    assert.equal(needed('go 1.21\n'), undefined, 'every go command that switches already handles go 1.21');
    assert.equal(needed('go 1.19\n'), undefined);
    assert.equal(needed(''), undefined);
    assert.equal(needed('go 1.22.3\ntoolchain default\n'), undefined);
  });

  test('platforms: known goos/goarch pairs, each bad one named', () => {
    assert.equal(platformProblem('linux/amd64'), undefined);
    assert.equal(platformProblem('wasip1/wasm'), undefined);
    assert.match(platformProblem('linux/x86_64')!, /not a goarch the go command builds for linux \(linux\/386, linux\/amd64/);
    assert.match(platformProblem('macos/arm64')!, /not a goos the go command knows/);
    assert.match(platformProblem('linux-amd64')!, /expected goos\/goarch/);
    assert.deepEqual(parsePlatformList('linux/amd64, windows/amd64,darwin/arm64,linux/amd64'), ['linux/amd64', 'windows/amd64', 'darwin/arm64']);
    assert.throws(() => parsePlatformList('linux/amd64,windows/x64'), { name: 'PlatformListError', platform: 'windows/x64' });
    assert.throws(() => parsePlatformList(''), { name: 'PlatformListError', reason: /is empty/ });
  });

  test("this machine's platform in the go command's names", () => {
    assert.equal(hostPlatform('linux', 'x64', 'LE'), 'linux/amd64');
    assert.equal(hostPlatform('win32', 'arm64', 'LE'), 'windows/arm64');
    assert.equal(hostPlatform('darwin', 'arm64', 'LE'), 'darwin/arm64');
    assert.equal(hostPlatform('linux', 'ppc64', 'LE'), 'linux/ppc64le');
    assert.equal(hostPlatform('linux', 'ia32', 'LE'), 'linux/386');
    assert.equal(platformProblem(hostPlatform()), undefined, `${hostPlatform()} is a known platform`);
  });

  test('the toolchainPlatforms setting and the export:plan request take only known platforms, naming the one at fault', () => {
    assert.deepEqual(settingsPatchSchema.parse({ toolchainPlatforms: ['linux/amd64', 'darwin/arm64'] }), { toolchainPlatforms: ['linux/amd64', 'darwin/arm64'] });
    assert.deepEqual(settingsPatchSchema.parse({ toolchainPlatforms: null }), { toolchainPlatforms: null });
    const badSetting = settingsPatchSchema.safeParse({ toolchainPlatforms: ['linux/amd64', 'windows/x64'] });
    assert.equal(badSetting.success, false);
    assert.deepEqual(badSetting.error?.issues.map((i) => [i.path.join('.'), i.message]), [['toolchainPlatforms.1', 'windows/x64: not a goarch the go command builds for windows (windows/386, windows/amd64, windows/arm, windows/arm64)']]);
    assert.match(settingsPatchSchema.safeParse({ toolchainPlatforms: [] }).error?.issues[0]?.message ?? '', /is empty/);
    const request = { projectDirs: ['/src/app'], toolchainPlatforms: ['linux/arm64'] };
    assert.deepEqual(exportPlanRequest.parse(request), request);
    assert.equal(exportPlanRequest.safeParse({ ...request, toolchainPlatforms: ['linux'] }).error?.issues[0]?.path.join('.'), 'toolchainPlatforms.0');
  });

  test("serve's toolchain line: each toolchain held with its platforms, oldest first, or none and GOTOOLCHAIN=local", () => {
    const held = toolchainFacts(['v0.0.1-go1.22.4.linux-amd64', 'v0.0.1-go1.21rc2.linux-amd64', 'v0.0.1-go1.22.4.darwin-arm64', 'v0.0.1-go1.21.10.windows-386']);
    assert.deepEqual(held.held, [
      { name: 'go1.21rc2', platforms: ['linux/amd64'] },
      { name: 'go1.21.10', platforms: ['windows/386'] },
      { name: 'go1.22.4', platforms: ['darwin/arm64', 'linux/amd64'] },
    ]);
    assert.equal(held.line, 'Go toolchains for GOTOOLCHAIN=auto: go1.21rc2 (linux/amd64); go1.21.10 (windows/386); go1.22.4 (darwin/arm64, linux/amd64)');
    const none = toolchainFacts([]);
    assert.deepEqual(none.held, []);
    assert.match(none.line, /^Go toolchains: this store holds none, .*set GOTOOLCHAIN=local there/);
  });

  test('each toolchain ships once per platform, needed by every go.mod and --toolchain that asks for it', () => {
    const root = (name: string, text: string) => ({ name, input: { kind: 'go.mod' as const, value: name }, goModFile: name, goMod: parseGoMod(`module example.com/m\n${text}`, name), modules: [] });
    const wanted = wantedToolchains(['go1.22.4'], [root('/a/go.mod', 'go 1.22.3\ntoolchain go1.22.4\n'), root('/b/go.mod', 'go 1.22.4\n'), root('/c/go.mod', 'go 1.20\n')], ['linux/amd64', 'windows/arm64']);
    assert.deepEqual(wanted.map((w) => [w.module.version, w.neededBy, w.demanded, shipReasonText(w.reason)]), [
      ['v0.0.1-go1.22.4.linux-amd64', ['--toolchain', '/a/go.mod', '/b/go.mod'], true, 'toolchain asked for with --toolchain go1.22.4, linux/amd64'],
      ['v0.0.1-go1.22.4.windows-arm64', ['--toolchain', '/a/go.mod', '/b/go.mod'], true, 'toolchain asked for with --toolchain go1.22.4, windows/arm64'],
    ]);
    const fromGoMods = wantedToolchains([], [root('/a/go.mod', 'go 1.22.3\ntoolchain go1.22.4\n'), root('/b/go.mod', 'go 1.22\n')], ['linux/amd64']);
    assert.deepEqual(fromGoMods.map((w) => [w.module.version, w.neededBy, w.demanded, w.file, w.line, shipReasonText(w.reason)]), [
      ['v0.0.1-go1.22.4.linux-amd64', ['/a/go.mod'], false, '/a/go.mod', 3, "toolchain for go.mod's `toolchain go1.22.4`, linux/amd64"],
      ['v0.0.1-go1.22.0.linux-amd64', ['/b/go.mod'], false, '/b/go.mod', 2, "toolchain for go.mod's `go 1.22`, linux/amd64"],
    ]);
  });
});
