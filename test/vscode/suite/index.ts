/**
 * The thin in-host suite: runs inside a real VS Code extension host next to the installed extension.
 * Bundled by scripts/build.mjs into dist/test-suite.js (mocha and vscode stay external).
 *
 * - `npm run test:electron` (test/vscode/run-electron.mjs) runs it in a downloaded VS Code (needs internet);
 * - test/e2e/inHost.test.ts runs it in code-server through a small runner extension (works offline).
 *
 * `run()` is the entry point @vscode/test-electron calls; it resolves when every test passed.
 */
import Mocha from 'mocha';

export interface SuiteResult {
  passed: number;
  failed: number;
  failures: Array<{ title: string; error: string }>;
}

export function runSuite(options: { reporter?: string; grep?: string } = {}): Promise<SuiteResult> {
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: 60_000,
    reporter: options.reporter ?? 'spec',
    grep: options.grep,
  });
  // The test modules are bundled in: install mocha's globals (describe/it) first, then load them.
  mocha.suite.emit('pre-require', globalThis, 'in-host', mocha);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after mocha's globals exist, not hoisted
  require('./extension.test');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
  require('./treeRefresh.test');
  return new Promise((resolve) => {
    const failures: SuiteResult['failures'] = [];
    const runner = mocha.run(() => resolve({ passed: runner.stats?.passes ?? 0, failed: failures.length, failures }));
    runner.on('fail', (test, err: Error) =>
      failures.push({ title: test.fullTitle(), error: err.stack ?? err.message }),
    );
  });
}

export async function run(): Promise<void> {
  const result = await runSuite();
  if (result.failed > 0) throw new Error(`${result.failed} in-host test(s) failed`);
}
