import * as path from 'node:path';
import * as vscode from 'vscode';
import { plural, type MigrationReport } from '../../core';
import type { Log } from '../log';
import type { ReportStore } from '../storage/reports';

/** The notification of a run's outcome, for a panel out of sight (a panel in view shows it itself). */
export async function notifyOutcome(
  report: MigrationReport,
  reportUri: vscode.Uri | undefined,
  sourcePath: string,
  deps: { log: Log; reports: ReportStore },
): Promise<void> {
  const name = path.basename(sourcePath);
  const t = report.totals;
  const actions = reportUri ? (['Open Report'] as const) : ([] as const);
  let choice: string | undefined;
  if (report.status === 'succeeded' || report.status === 'dry-run') {
    const text =
      report.status === 'succeeded'
        ? `Migrated ${name}: ${plural(t.validated, 'document')} written and validated.`
        : `Dry run of ${name}: ${plural(t.exported, 'document')} would be written.`;
    choice = await vscode.window.showInformationMessage(text, ...actions);
  } else if (report.status === 'cancelled') {
    choice = await vscode.window.showWarningMessage(
      `Migration of ${name} cancelled: ${plural(t.imported, 'document')} had been written.`,
      ...actions,
    );
  } else {
    choice = await deps.log.showError(
      `Migration of ${name} failed: ${report.error?.message ?? 'see the log'}`,
      ...actions,
    );
  }
  if (choice === 'Open Report' && reportUri) await deps.reports.open(reportUri);
}
