import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { GoproxyFixture } from './debianFixture';

const programs = path.join(__dirname, '..', 'fixtures', 'goprograms');

/** The modules tests/fixtures/goprograms/basic imports; go.mod takes their versions from the fixture tree. */
export const basicProgramRequires = [
  'github.com/BurntSushi/toml',
  'github.com/sirupsen/logrus',
  'github.com/spf13/cobra',
  'github.com/stretchr/testify',
  'gopkg.in/yaml.v3',
];

/** The modules tests/fixtures/goprograms/wide imports directly; `go mod tidy` adds what they need. */
export const wideProgramRequires = [
  'github.com/BurntSushi/toml',
  'github.com/Masterminds/semver/v3',
  'github.com/cespare/xxhash/v2',
  'github.com/dustin/go-humanize',
  'github.com/fatih/color',
  'github.com/fsnotify/fsnotify',
  'github.com/gofrs/flock',
  'github.com/google/go-cmp',
  'github.com/google/uuid',
  'github.com/gorilla/mux',
  'github.com/hashicorp/golang-lru',
  'github.com/json-iterator/go',
  'github.com/olekukonko/tablewriter',
  'github.com/pkg/errors',
  'github.com/pkg/sftp',
  'github.com/sirupsen/logrus',
  'github.com/spf13/afero',
  'github.com/spf13/cobra',
  'github.com/spf13/viper',
  'github.com/stretchr/testify',
  'golang.org/x/crypto',
  'golang.org/x/sync',
  'golang.org/x/text',
  'gopkg.in/ini.v1',
  'gopkg.in/yaml.v2',
];

/**
 * A copy of a test Go program in a new folder under `under` (a temp folder the caller removes), with a
 * go.mod requiring the fixture's versions.
 */
export async function goProgram(fixture: GoproxyFixture, under: string, name = 'basic', requires = basicProgramRequires): Promise<string> {
  const dir = await mkdtemp(path.join(under, `prog-${name}-`));
  await cp(path.join(programs, name), dir, { recursive: true });
  const lines = requires.map((p) => {
    const version = fixture.modules.find((m) => m.path === p)?.version;
    if (!version) throw new Error(`the Debian fixture has no ${p}: install its golang-*-dev package`);
    return `\t${p} ${version}`;
  });
  await writeFile(path.join(dir, 'go.mod'), `module example.com/${name}\n\ngo 1.19\n\nrequire (\n${lines.join('\n')}\n)\n`);
  return dir;
}
