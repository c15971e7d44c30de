import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { credentialsForHost, defaultNetrcPath, parseNetrc, readNetrc } from '../../electron/core/upstream/netrc';

describe('parseNetrc', () => {
  test('machine entries in file order, one per line or spread over lines', () => {
    const netrc = parseNetrc(
      ['machine a.example login alice password pa', 'machine b.example', '  login bob', '  password pb', 'machine c.example login carol', 'password pc'].join('\n'),
    );
    assert.deepEqual(netrc.machines, [
      { machine: 'a.example', login: 'alice', password: 'pa' },
      { machine: 'b.example', login: 'bob', password: 'pb' },
      { machine: 'c.example', login: 'carol', password: 'pc' },
    ]);
  });

  test('a keyword and its value may sit on different lines', () => {
    assert.deepEqual(parseNetrc('machine\na.example login\nalice password\npa\n').machines, [{ machine: 'a.example', login: 'alice', password: 'pa' }]);
  });

  test('tabs, CRLF line ends and blank lines', () => {
    assert.deepEqual(parseNetrc('machine\ta.example\r\n\r\nlogin\talice\r\npassword\tpa\r\n').machines, [
      { machine: 'a.example', login: 'alice', password: 'pa' },
    ]);
  });

  test('entries missing a login or password are left out (nothing to send)', () => {
    const netrc = parseNetrc('machine a login only\nmachine b password only\nmachine c login x password y');
    assert.deepEqual(netrc.machines, [{ machine: 'c', login: 'x', password: 'y' }]);
  });

  test('login or password before any machine belong to nothing', () => {
    assert.deepEqual(parseNetrc('login x password y\nmachine m login u password p').machines, [{ machine: 'm', login: 'u', password: 'p' }]);
  });

  test('account values are skipped, not taken for keywords', () => {
    assert.deepEqual(parseNetrc('machine m account password login u password p').machines, [{ machine: 'm', login: 'u', password: 'p' }]);
  });

  test('macdef bodies are skipped up to the first blank line, even when they look like entries', () => {
    const text = ['macdef init', 'machine evil login x password y', 'cd /pub', '', 'machine m login u password p'].join('\n');
    assert.deepEqual(parseNetrc(text).machines, [{ machine: 'm', login: 'u', password: 'p' }]);
  });

  test('a macdef ending with a CRLF blank line', () => {
    const text = 'macdef init\r\nmachine evil login x password y\r\n\r\nmachine m login u password p\r\n';
    assert.deepEqual(parseNetrc(text).machines, [{ machine: 'm', login: 'u', password: 'p' }]);
  });

  test('a macdef that never ends swallows the rest of the file', () => {
    assert.deepEqual(parseNetrc('macdef init\nmachine m login u password p').machines, []);
  });

  test('default is parsed apart from the machines', () => {
    const netrc = parseNetrc('machine m login u password p\ndefault login anon password guest');
    assert.deepEqual(netrc.machines, [{ machine: 'm', login: 'u', password: 'p' }]);
    assert.deepEqual(netrc.default, { login: 'anon', password: 'guest' });
  });

  test('a machine after default still counts, though the format wants default last', () => {
    const netrc = parseNetrc('default login anon password guest\nmachine m login u password p');
    assert.deepEqual(netrc.machines, [{ machine: 'm', login: 'u', password: 'p' }]);
    assert.deepEqual(netrc.default, { login: 'anon', password: 'guest' });
  });

  test('unknown words are ignored; empty text has no entries', () => {
    assert.deepEqual(parseNetrc('# comment-ish\nmachine m login u password p port 21').machines, [{ machine: 'm', login: 'u', password: 'p' }]);
    assert.deepEqual(parseNetrc(''), { machines: [] });
  });
});

describe('credentialsForHost', () => {
  const netrc = parseNetrc(
    'machine goproxy.example login first password one\nmachine goproxy.example login second password two\n' +
      'machine ::1 login v6 password six\ndefault login anon password guest',
  );

  test('the first machine entry for the host wins', () => {
    assert.deepEqual(credentialsForHost(netrc, 'goproxy.example'), { login: 'first', password: 'one' });
  });

  test('host names compare without regard to case', () => {
    assert.deepEqual(credentialsForHost(netrc, 'GoProxy.Example'), { login: 'first', password: 'one' });
  });

  test('IPv6 hosts match with or without URL brackets', () => {
    assert.deepEqual(credentialsForHost(netrc, '[::1]'), { login: 'v6', password: 'six' });
    assert.deepEqual(credentialsForHost(netrc, '::1'), { login: 'v6', password: 'six' });
  });

  test('default is never used: a catch-all password would reach every proxy', () => {
    assert.equal(credentialsForHost(netrc, 'proxy.golang.org'), undefined);
  });

  test('a subdomain is a different machine', () => {
    assert.equal(credentialsForHost(netrc, 'sub.goproxy.example'), undefined);
  });
});

describe('netrc file', () => {
  test('$NETRC wins, else .netrc in the home directory (_netrc on Windows)', () => {
    assert.equal(defaultNetrcPath({ NETRC: '/etc/my-netrc' }, '/home/u', 'linux'), '/etc/my-netrc');
    assert.equal(defaultNetrcPath({ NETRC: '' }, '/home/u', 'linux'), path.join('/home/u', '.netrc'));
    assert.equal(defaultNetrcPath({}, '/home/u', 'darwin'), path.join('/home/u', '.netrc'));
    assert.equal(defaultNetrcPath({}, 'C:\\Users\\u', 'win32'), path.join('C:\\Users\\u', '_netrc'));
  });

  test('a missing file means no credentials; a present one is parsed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'modferry-netrc-'));
    try {
      assert.deepEqual(await readNetrc(path.join(dir, 'absent')), { machines: [] });
      const file = path.join(dir, 'netrc');
      await writeFile(file, 'machine m login u password p\n');
      assert.deepEqual((await readNetrc(file)).machines, [{ machine: 'm', login: 'u', password: 'p' }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an unreadable file is an error naming it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'modferry-netrc-'));
    try {
      await assert.rejects(readNetrc(dir), (err: Error) => err.message.startsWith(`cannot read the .netrc file ${dir}:`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
