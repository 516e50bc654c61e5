/** Small extensions the e2e tests load next to the packaged one (code-server's --extensionDevelopmentPath). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestCommand {
  command: string;
  title: string;
  category: string;
}

/**
 * A one-command extension in a fresh temp folder: its manifest (with any other `contributes`), and `extension.js` as
 * `source(dir)` writes it (the folder is passed so the code can name files in it). Returns the folder; the caller
 * removes it.
 */
export function makeTestExtension(
  name: string,
  command: TestCommand,
  source: (dir: string) => string,
  contributes: Record<string, unknown> = {},
): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `sqlite2mongo-${name}-`));
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name,
      publisher: 'sqlite2mongo-test',
      version: '0.0.1',
      engines: { vscode: '^1.90.0' },
      main: './extension.js',
      activationEvents: [],
      contributes: { ...contributes, commands: [command] },
    }),
  );
  writeFileSync(path.join(dir, 'extension.js'), source(dir));
  return dir;
}
