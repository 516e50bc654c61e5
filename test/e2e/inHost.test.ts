/**
 * Runs the thin in-host suite (test/vscode/suite → dist/test-suite.js) inside code-server's extension host, next
 * to the packaged extension: code-server has no --extensionTestsPath, so a tiny runner extension exposes a
 * command that runs the suite and writes the result to a file, and Chromium triggers it from the palette.
 * (`npm run test:electron` runs the same suite in a downloaded VS Code where there is internet.)
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/codeServer';
import { useWorkbench } from '../helpers/e2eSession';
import { sharedFixturesDir } from '../helpers/fixtures';
import { makeTestExtension } from '../helpers/testExtension';
import { REFRESH_PROBE_VIEW } from '../vscode/suite/refreshProbe';
import { runCommand } from '../helpers/workbench';

interface SuiteResult {
  passed: number;
  failed: number;
  failures: Array<{ title: string; error: string }>;
}

/**
 * A runner extension whose command runs the suite and writes its result to `<dir>/result.json`. Written to a temp
 * name and renamed: the test polls for the file, and a plain writeFileSync lets it see (and parse) the file between
 * its creation and its content — "Unexpected end of JSON input".
 */
function makeRunnerExtension(suite: string): string {
  const command = { command: 's2mInHost.run', title: 'Run In-Host Suite', category: 'S2M Tests' };
  return makeTestExtension(
    's2m-inhost-runner',
    command,
    (dir) => `const vscode = require('vscode');
const fs = require('fs');
const out = ${JSON.stringify(path.join(dir, 'result.json'))};
const publish = (result) => {
  fs.writeFileSync(out + '.tmp', JSON.stringify(result));
  fs.renameSync(out + '.tmp', out);
};
exports.activate = (context) => {
  // The suite reads the extension's log: this window's logs are two levels above this extension's log folder.
  process.env.SQLITE2MONGO_LOGS_ROOT = require('path').dirname(require('path').dirname(context.logUri.fsPath));
  context.subscriptions.push(vscode.commands.registerCommand('s2mInHost.run', async () => {
    try {
      publish(await require(${JSON.stringify(suite)}).runSuite({ reporter: 'spec' }));
    } catch (e) {
      publish({ passed: 0, failed: 1, failures: [{ title: 'loading the suite', error: String(e && e.stack || e) }] });
    }
  }));
};
`,
    // A view for the suite's checks of VS Code's tree refreshes (test/vscode/suite/treeRefresh.test.ts).
    { views: { explorer: [{ id: REFRESH_PROBE_VIEW, name: 'Refresh Probe' }] } },
  );
}

describe('in-host suite (test/vscode/suite) in code-server', function () {
  this.timeout(240_000);
  const suite = path.join(REPO_ROOT, 'dist', 'test-suite.js');
  let runner: string | undefined;
  const s = useWorkbench('in-host-', {
    vsix: true,
    extensionDevelopmentPath: () => {
      assert.ok(existsSync(suite), `${suite} is missing (npm run build)`);
      return (runner = makeRunnerExtension(suite));
    },
    env: { SQLITE2MONGO_FIXTURES: sharedFixturesDir() },
  });

  after(function () {
    if (runner) rmSync(runner, { recursive: true, force: true });
  });

  it('passes inside the extension host, next to the installed .vsix', async function () {
    const out = path.join(runner!, 'result.json');
    await runCommand(s.page, 'S2M Tests: Run In-Host Suite');
    const deadline = Date.now() + 180_000;
    while (!existsSync(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    assert.ok(existsSync(out), 'the in-host suite wrote no result within 180 s');
    const result = JSON.parse(readFileSync(out, 'utf8')) as SuiteResult;
    for (const f of result.failures) console.log(`    in-host failure: ${f.title}\n${f.error}`);
    assert.equal(result.failed, 0, `${result.failed} in-host test(s) failed`);
    assert.ok(result.passed >= 7, `only ${result.passed} in-host tests passed`);
    console.log(`    in-host: ${result.passed} passed, ${result.failed} failed`);
  });
});
