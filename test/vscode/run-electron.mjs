// `npm run test:electron`: the in-host suite (dist/test-suite.js) in a VS Code that @vscode/test-electron
// downloads — on machines with internet. Offline, test/e2e/inHost.test.ts runs the same suite in code-server.
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const suite = path.join(root, 'dist', 'test-suite.js');
if (!existsSync(suite)) {
  console.error(`${suite} is missing: run \`npm run build\` first.`);
  process.exit(1);
}
const fixtures = [
  process.env.SQLITE2MONGO_FIXTURES,
  path.resolve(root, '..', 'shared', 'fixtures'),
  '/work/shared/fixtures',
].find((d) => d && existsSync(path.join(d, 'app.db')));
const workspace = mkdtempSync(path.join(os.tmpdir(), 'sqlite2mongo-electron-ws-'));
// The suite reads the extension's log (SQLITE2MONGO_LOGS_ROOT): keep this run's logs in a known folder.
const logs = mkdtempSync(path.join(os.tmpdir(), 'sqlite2mongo-electron-logs-'));

try {
  await runTests({
    version: process.env.VSCODE_TEST_VERSION ?? 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: suite,
    launchArgs: [
      workspace,
      '--logsPath',
      logs,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
    ],
    extensionTestsEnv: { SQLITE2MONGO_LOGS_ROOT: logs, ...(fixtures ? { SQLITE2MONGO_FIXTURES: fixtures } : {}) },
  });
} catch (e) {
  console.error(`In-host tests failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
