import * as vscode from 'vscode';
import type { IfExists } from '../core';
import type { PanelDefaults } from '../webview/panel/protocol';

const IF_EXISTS: readonly IfExists[] = ['ask', 'drop', 'append', 'upsert', 'fail'];

/** Where run records are kept (`sqlite2mongo.historyDatabase`): a database name, or undefined for the target itself. */
export function historyDatabase(scope?: vscode.Uri): string | undefined {
  const name = vscode.workspace.getConfiguration('sqlite2mongo', scope).get<string>('historyDatabase', '').trim();
  return name === '' ? undefined : name;
}

/** The `sqlite2mongo.*` settings, read fresh each time (the user may change them while a panel is open). */
export function readDefaults(scope?: vscode.Uri): PanelDefaults {
  const c = vscode.workspace.getConfiguration('sqlite2mongo', scope);
  const batchSize = c.get<number>('batchSize', 1000);
  const ifExists = c.get<string>('ifExists', 'ask');
  const timezone = c.get<string>('timezone', 'UTC').trim();
  const connectTimeout = c.get<number>('connectTimeoutSeconds', 10);
  return {
    batchSize: Number.isInteger(batchSize) && batchSize > 0 ? batchSize : 1000,
    ifExists: IF_EXISTS.includes(ifExists as IfExists) ? (ifExists as IfExists) : 'ask',
    onError: c.get<string>('onError', 'stop') === 'skip' ? 'skip' : 'stop',
    nulls: c.get<string>('nulls', 'keep') === 'omit' ? 'omit' : 'keep',
    detectTextDates: c.get<boolean>('dateDetection', true),
    timezone: /^(UTC|Z|GMT|[+-]\d{2}:?\d{2}|[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)+)$/i.test(timezone)
      ? timezone
      : 'UTC',
    connectTimeoutSeconds: Number.isFinite(connectTimeout) && connectTimeout >= 1 ? Math.min(300, connectTimeout) : 10,
  };
}
