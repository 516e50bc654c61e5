/** In-host checks of the shell: activation, commands, menus, the panel, the Validation view, settings. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../../src/extension/commands';
import { PANEL_VIEW_TYPE } from '../../../src/webview/panel/protocol';

const EXTENSION_ID = 'sqlite2mongo.sqlite2mongo';

interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: Array<{ command: string }>;
    menus: Record<string, Array<{ command: string; when?: string }>>;
    configuration: { properties: Record<string, unknown> };
  };
}

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  return ext;
}

/** app.db: SQLITE2MONGO_FIXTURES, or the shared fixtures beside the repository. */
function fixture(name: string): string {
  const candidates = [process.env.SQLITE2MONGO_FIXTURES, path.resolve(extension().extensionPath, '..', 'shared', 'fixtures'), '/work/shared/fixtures'];
  for (const dir of candidates) if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  throw new Error(`fixture ${name} not found (set SQLITE2MONGO_FIXTURES)`);
}

function panelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(PANEL_VIEW_TYPE));
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('in-host: the SQLite to MongoDB extension', function () {
  it('activates without errors and registers every command of the Commands map', async function () {
    await extension().activate();
    assert.equal(extension().isActive, true);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of Object.values(Commands)) assert.ok(registered.has(id), `${id} is registered`);
  });

  it('contributes exactly the commands of the Commands map, with narrow activation events', function () {
    const manifest = extension().packageJSON as Manifest;
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), Object.values(Commands).sort());
    assert.ok(!manifest.activationEvents.includes('*'), 'never activates on *');
    assert.ok(manifest.activationEvents.every((e) => /^on(Command|View|WebviewPanel):/.test(e)), manifest.activationEvents.join(', '));
    const explorer = manifest.contributes.menus['explorer/context'].find((m) => m.command === Commands.migrateFile);
    assert.match(explorer?.when ?? '', /resourceExtname/);
    const hidden = manifest.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command);
    for (const id of [Commands.migrateFile, Commands.rerunValidation, Commands.openMismatch]) assert.ok(hidden.includes(id), `${id} is hidden from the palette`);
  });

  it('declares its settings with the documented defaults', function () {
    const c = vscode.workspace.getConfiguration('sqlite2mongo');
    assert.equal(c.get('batchSize'), 1000);
    assert.equal(c.get('ifExists'), 'ask');
    assert.equal(c.get('nulls'), 'keep');
    assert.equal(c.get('dateDetection'), true);
    assert.equal(c.get('timezone'), 'UTC');
    assert.equal(c.get('onError'), 'stop');
  });

  it('"Migrate to MongoDB…" on a file opens one panel per file and reveals it again', async function () {
    const file = vscode.Uri.file(fixture('app.db'));
    await vscode.commands.executeCommand(Commands.migrateFile, file);
    const tab = await waitFor('the panel tab', () => panelTabs()[0]);
    assert.equal(tab.label, 'Migrate app.db');
    await vscode.commands.executeCommand(Commands.migrateFile, file);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(panelTabs().length, 1, 'the same file reuses its panel');
    await vscode.window.tabGroups.close(panelTabs());
  });

  it('the Validation view opens and can be cleared when empty', async function () {
    await vscode.commands.executeCommand('sqlite2mongo.validation.focus');
    await vscode.commands.executeCommand(Commands.clearValidation);
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
  });

  it('"Open Last Migration Report" without a report says so instead of failing', async function () {
    await vscode.commands.executeCommand(Commands.openLastReport);
  });
});
