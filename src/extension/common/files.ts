/** The rules for SQLite files in the shell: which files are databases, and the names derived from them. */
import * as vscode from 'vscode';
import { SQLITE_EXTENSIONS, withoutSqliteExtension } from '../../core';

/** File-dialog filters: SQLite databases first, any file second (a database may have any extension). */
export const SQLITE_FILE_FILTERS: Record<string, string[]> = {
  'SQLite databases': [...SQLITE_EXTENSIONS],
  'All files': ['*'],
};

/** Where the intermediate NDJSON file goes by default: next to the database, `app.db` → `app.ndjson`. */
export function defaultOutputFile(sourcePath: string): string {
  return `${withoutSqliteExtension(sourcePath)}.ndjson`;
}

/** Asks for one SQLite file to open a panel on. */
export async function pickSqliteFile(openLabel: string, title: string): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel,
    title,
    filters: SQLITE_FILE_FILTERS,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
}
