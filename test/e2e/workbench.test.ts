/**
 * Proves the browser E2E harness: a real VS Code (code-server) opens a workspace holding app.db, Chromium shows
 * it, the Command Palette runs commands, and an extension loaded from a folder (extensionDevelopmentPath) runs
 * its Node code in the extension host. Screenshots: test-results/e2e/.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { useWorkbench } from '../helpers/e2eSession';
import { sharedFixture } from '../helpers/fixtures';
import { makeTestExtension } from '../helpers/testExtension';
import { editorTab, explorerItem, openWorkbench, runCommand, screenshot } from '../helpers/workbench';

/** A minimal extension: one command that writes a file into the workspace from the Node extension host. */
function makeProbeExtension(): string {
  const command = { command: 's2mProbe.hello', title: 'Write Probe File', category: 'S2M Probe' };
  return makeTestExtension(
    's2m-e2e-probe',
    command,
    () => `const vscode = require('vscode');
const fs = require('fs');
const path = require('path');
exports.activate = (context) => {
  context.subscriptions.push(vscode.commands.registerCommand('s2mProbe.hello', async () => {
    const folder = vscode.workspace.workspaceFolders[0].uri.fsPath;
    fs.writeFileSync(path.join(folder, 'probe-ran.json'), JSON.stringify({ node: process.versions.node, pid: process.pid }));
    vscode.window.showInformationMessage('S2M probe ran in the extension host');
  }));
};
exports.deactivate = () => {};
`,
  );
}

describe('e2e harness: code-server + Chromium', function () {
  this.timeout(180_000);
  let probeExt: string | undefined;
  const s = useWorkbench('harness-', {
    files: { 'app.db': sharedFixture('app.db') },
    extensionDevelopmentPath: () => (probeExt = makeProbeExtension()),
    open: false, // the first test opens it
  });

  after(function () {
    if (probeExt) rmSync(probeExt, { recursive: true, force: true });
  });

  it('opens the workbench and the Explorer lists app.db', async function () {
    await openWorkbench(s.page, s.server.url);
    await explorerItem(s.page, 'app.db').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await explorerItem(s.page, 'app.db').count(), 1);
    // The window is a real VS Code workbench for this folder.
    const title = await s.page.title();
    assert.match(title, new RegExp(path.basename(s.workspace)));
    const shot = await screenshot(s.page, 'workbench.png');
    assert.ok(existsSync(shot));
  });

  it('runs a built-in command from the Command Palette', async function () {
    await runCommand(s.page, 'File: New Untitled Text File');
    await editorTab(s.page, 'Untitled-1').waitFor({ state: 'visible', timeout: 20_000 });
    await s.page.keyboard.type('typed by playwright');
    await s.page.locator('.monaco-editor .view-lines', { hasText: 'typed by playwright' }).waitFor({ timeout: 10_000 });
  });

  it("runs an extension's command in the Node extension host (extensionDevelopmentPath)", async function () {
    await runCommand(s.page, 'S2M Probe: Write Probe File');
    await s.page
      .locator('.notifications-toasts .notification-list-item-message', {
        hasText: 'S2M probe ran in the extension host',
      })
      .waitFor({ state: 'visible', timeout: 30_000 });
    const written = JSON.parse(readFileSync(path.join(s.workspace, 'probe-ran.json'), 'utf8'));
    assert.match(written.node, /^\d+\.\d+\.\d+$/);
    // The Explorer learns of new files from a file watcher, which can lag on a loaded machine: refresh it as a
    // user would, then the file must be listed.
    const item = explorerItem(s.page, 'probe-ran.json');
    if (
      !(await item.waitFor({ state: 'visible', timeout: 15_000 }).then(
        () => true,
        () => false,
      ))
    ) {
      await runCommand(s.page, 'Refresh Explorer'); // its palette title has no category
      await item.waitFor({ state: 'visible', timeout: 30_000 });
    }
    await screenshot(s.page, 'workbench-probe-command.png');
  });

  it('reports a clear error for a command that does not exist', async function () {
    await assert.rejects(
      runCommand(s.page, 'No Such Command Anywhere 12345', 3000),
      /not found in the Command Palette/,
    );
  });
});
