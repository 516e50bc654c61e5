/**
 * Runs the thin in-host suite (test/vscode/suite → dist/test-suite.js) inside code-server's extension host, next
 * to the packaged extension: code-server has no --extensionTestsPath, so a tiny runner extension exposes a
 * command that runs the suite and writes the result to a file, and Chromium triggers it from the palette.
 * (`npm run test:electron` runs the same suite in a downloaded VS Code where there is internet.)
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { sharedFixturesDir } from '../helpers/fixtures';
import { launchBrowser, makeWorkspace, newPage, openWorkbench, REPO_ROOT, runCommand, screenshot, startCodeServer, type CodeServer } from './codeServer';
import { packagedExtension } from './vsix';

interface SuiteResult {
  passed: number;
  failed: number;
  failures: Array<{ title: string; error: string }>;
}

function makeRunnerExtension(suite: string, out: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sqlite2mongo-inhost-runner-'));
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: 's2m-inhost-runner',
      publisher: 'sqlite2mongo-test',
      version: '0.0.1',
      engines: { vscode: '^1.90.0' },
      main: './extension.js',
      activationEvents: [],
      contributes: { commands: [{ command: 's2mInHost.run', title: 'Run In-Host Suite', category: 'S2M Tests' }] },
    }),
  );
  writeFileSync(
    path.join(dir, 'extension.js'),
    `const vscode = require('vscode');
const fs = require('fs');
exports.activate = (context) => {
  context.subscriptions.push(vscode.commands.registerCommand('s2mInHost.run', async () => {
    try {
      const result = await require(${JSON.stringify(suite)}).runSuite({ reporter: 'spec' });
      fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify(result));
    } catch (e) {
      fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify({ passed: 0, failed: 1, failures: [{ title: 'loading the suite', error: String(e && e.stack || e) }] }));
    }
  }));
};
`,
  );
  return dir;
}

describe('in-host suite (test/vscode/suite) in code-server', function () {
  this.timeout(240_000);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let workspace: string;
  let runner: string;
  let out: string;

  before(async function () {
    const suite = path.join(REPO_ROOT, 'dist', 'test-suite.js');
    assert.ok(existsSync(suite), `${suite} is missing (npm run build)`);
    const vsix = packagedExtension();
    workspace = makeWorkspace();
    out = path.join(workspace, 'in-host-result.json');
    runner = makeRunnerExtension(suite, out);
    server = await startCodeServer({ workspaceDir: workspace, vsixPath: vsix, extensionDevelopmentPath: runner, env: { SQLITE2MONGO_FIXTURES: sharedFixturesDir() } });
    browser = await launchBrowser();
    page = await newPage(browser, server.url);
    await openWorkbench(page, server.url);
  });

  after(async function () {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
    if (runner) rmSync(runner, { recursive: true, force: true });
  });

  it('passes inside the extension host, next to the installed .vsix', async function () {
    await runCommand(page, 'S2M Tests: Run In-Host Suite');
    const deadline = Date.now() + 180_000;
    while (!existsSync(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    if (!existsSync(out)) {
      await screenshot(page, 'FAILED-in-host-suite.png');
      throw new Error(`the in-host suite wrote no result; code-server output:\n${server?.logs().slice(-3000)}`);
    }
    const result = JSON.parse(readFileSync(out, 'utf8')) as SuiteResult;
    for (const f of result.failures) console.log(`    in-host failure: ${f.title}\n${f.error}`);
    assert.equal(result.failed, 0, `${result.failed} in-host test(s) failed`);
    assert.ok(result.passed >= 6, `only ${result.passed} in-host tests passed`);
    console.log(`    in-host: ${result.passed} passed, ${result.failed} failed`);
  });
});
