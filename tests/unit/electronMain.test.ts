import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ipcChannels } from '../../shared/ipc/contract';

const dist = path.join(__dirname, '..', '..', 'dist');

// Electron's binary cannot run here: the built main process runs under Node with a stand-in for the
// 'electron' module (tests/support/electronStandIn), which records what main asks of Electron and
// plays the events main must answer. Its own process, as main installs process-wide error handlers.
test("Electron main: one hardened window on the app's page; pop-ups, navigation, web views and permissions refused; IPC only from the app's own main frame", async (t) => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'modferry-electron-main-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const output = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'support', 'electronStandIn', 'runMain.ts'), path.join(dist, 'electron', 'main', 'main.js')], {
    env: { ...process.env, MODFERRY_HOME: home },
    encoding: 'utf8',
  });
  const seen = JSON.parse(output) as {
    webPreferences: Record<string, unknown>;
    loaded: string;
    windowOpen: unknown;
    prevented: Record<string, boolean>;
    permission: boolean;
    channels: string[];
    ipc: { page: { ok?: { ok: boolean } }; subframe: { refused?: string }; elsewhere: { refused?: string } };
    dialogs: unknown[];
  };
  assert.deepEqual(seen.webPreferences, { preload: 'preload.js', contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
  assert.equal(seen.loaded, path.join(dist, 'renderer', 'index.html'));
  assert.deepEqual(seen.windowOpen, { action: 'deny' });
  assert.deepEqual(seen.prevented, { 'will-navigate': true, 'will-redirect': true, 'will-attach-webview': true });
  assert.equal(seen.permission, false);
  assert.deepEqual(seen.channels.sort(), [...ipcChannels].sort(), 'every channel of the contract, and nothing else');
  assert.equal(seen.ipc.page.ok?.ok, true, "the app's page is answered");
  assert.match(seen.ipc.subframe.refused ?? 'answered', /^app:info: refused a call from file:/, 'a frame inside the page is refused');
  assert.equal(seen.ipc.elsewhere.refused, 'app:info: refused a call from https://elsewhere.example/');
  assert.deepEqual(seen.dialogs, [], 'no unexpected error on the way');

  // The page's own policy: nothing inline, nothing from elsewhere.
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(readFileSync(seen.loaded, 'utf8'))?.[1] ?? '';
  assert.match(csp, /default-src 'self'; script-src 'self'; style-src 'self';/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
});
