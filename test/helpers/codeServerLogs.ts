/** What a code-server run leaves for a failed test: its own output, the extension's log and VS Code's log folder. */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The extension under test, as VS Code names it (publisher.name): its log folder has this name. */
export const EXTENSION_ID = 'sqlite2mongo.sqlite2mongo';

/** The log files of one extension host session: <logs>/<session>/exthost<N>/<extension id>/<channel>.log. */
function extensionLogFiles(logsDir: string): string[] {
  if (!existsSync(logsDir)) return [];
  const files: string[] = [];
  for (const session of readdirSync(logsDir).sort()) {
    const hosts = readdirSync(path.join(logsDir, session)).filter((d) => /^exthost\d+$/.test(d));
    for (const host of hosts.sort((a, b) => Number(a.slice(7)) - Number(b.slice(7)))) {
      const dir = path.join(logsDir, session, host, EXTENSION_ID);
      if (existsSync(dir)) files.push(...readdirSync(dir).map((f) => path.join(dir, f)));
    }
  }
  return files;
}

/**
 * Saves code-server's output (code-server.log), the log of the extension under test (extension.log: every extension
 * host's channel, in order) and VS Code's whole log folder (vscode-logs/) into `dir`.
 */
export function saveLogs(dir: string, output: string, logsDir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'code-server.log'), output);
  const extensionLog = extensionLogFiles(logsDir)
    .map((f) => `==> ${path.relative(logsDir, f)} <==\n${readFileSync(f, 'utf8')}`)
    .join('\n');
  writeFileSync(path.join(dir, 'extension.log'), extensionLog || `(no log of ${EXTENSION_ID} under ${logsDir})\n`);
  if (existsSync(logsDir)) cpSync(logsDir, path.join(dir, 'vscode-logs'), { recursive: true });
}
