/** In-host checks of the shell: activation, commands, menus, the panel, the Validation view, settings. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../../src/extension/commands';
import { PANEL_VIEW_TYPE } from '../../../src/webview/panel/protocol';
import { waitFor } from './waitFor';

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
  const candidates = [
    process.env.SQLITE2MONGO_FIXTURES,
    path.resolve(extension().extensionPath, '..', 'shared', 'fixtures'),
    '/work/shared/fixtures',
  ];
  for (const dir of candidates) if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  throw new Error(`fixture ${name} not found (set SQLITE2MONGO_FIXTURES)`);
}

function panelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(PANEL_VIEW_TYPE));
}

/**
 * What the extension wrote to its log channel so far: every "<extension id>/*.log" under SQLITE2MONGO_LOGS_ROOT,
 * where the runner says VS Code keeps this window's logs (test/e2e/inHost.test.ts, test/vscode/run-electron.mjs).
 */
function extensionLog(): string {
  const root = process.env.SQLITE2MONGO_LOGS_ROOT;
  if (!root || !existsSync(root))
    throw new Error(`SQLITE2MONGO_LOGS_ROOT (${root ?? 'unset'}) must name the folder VS Code writes its logs to`);
  const texts: string[] = [];
  const visit = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) visit(full);
      else if (path.basename(dir) === EXTENSION_ID && e.name.endsWith('.log')) texts.push(readFileSync(full, 'utf8'));
    }
  };
  visit(root);
  return texts.join('\n');
}

function allTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs);
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
    assert.ok(
      manifest.activationEvents.every((e) => /^on(Command|View|WebviewPanel):/.test(e)),
      manifest.activationEvents.join(', '),
    );
    const explorer = manifest.contributes.menus['explorer/context'].find((m) => m.command === Commands.migrateFile);
    assert.match(explorer?.when ?? '', /resourceExtname/);
    const hidden = manifest.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command);
    for (const id of [Commands.migrateFile, Commands.rerunValidation, Commands.openMismatch, Commands.openCollection])
      assert.ok(hidden.includes(id), `${id} is hidden from the palette`);
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
    // Another editor in front, then the same command: the existing panel comes back to the front.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'plaintext' })); // empty: closes without asking to save
    await waitFor('the text editor in front', () => !panelTabs()[0]?.isActive);
    await vscode.commands.executeCommand(Commands.migrateFile, file);
    await waitFor('the panel in front again', () => panelTabs()[0]?.isActive);
    assert.equal(panelTabs().length, 1, 'the same file reuses its panel');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('"Open Last Migration Report" without a report opens nothing and tells the user so', async function () {
    const tabsBefore = allTabs().length;
    await vscode.commands.executeCommand(Commands.openLastReport);
    await waitFor('the message in the log', () =>
      extensionLog().includes('[info] No migration report yet: run a migration first.'),
    );
    assert.equal(allTabs().length, tabsBefore, 'no editor was opened');
  });

  it('"Forget Saved MongoDB Connections" with none saved reports that it forgot 0', async function () {
    await vscode.commands.executeCommand(Commands.forgetConnections);
    await waitFor('the message in the log', () =>
      extensionLog().includes('[info] Forgot 0 saved MongoDB connections.'),
    );
  });
});
