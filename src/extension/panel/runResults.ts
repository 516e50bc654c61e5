import type * as vscode from 'vscode';
import type { MappingPlan, MigrationReport } from '../../core';
import { errorInfo } from '../common/errors';
import type { Log } from '../log';
import type { ReportStore } from '../storage/reports';
import type { ValidationModel } from '../tree/validationModel';

export interface RunResultsDeps {
  reports: ReportStore;
  validation: ValidationModel;
  log: Log;
}

/**
 * What a finished run leaves behind, whoever started it (the panel's Start, the History view's Resume): its report
 * file, and the Validation view's results when the run checked anything. Returns the report's URI (none when it
 * could not be written: the run's outcome stands all the same).
 */
export async function keepRunResults(
  report: MigrationReport,
  ctx: { sourcePath: string; targetId: string; plan: MappingPlan },
  deps: RunResultsDeps,
): Promise<vscode.Uri | undefined> {
  let reportUri: vscode.Uri | undefined;
  try {
    reportUri = await deps.reports.save(report);
    deps.log.info(`Report: ${reportUri.fsPath}`);
  } catch (e) {
    deps.log.error(`Cannot write the report: ${errorInfo(e).message}`);
  }
  if (Object.values(report.steps).some((s) => s && !s.skipped) && report.collections.some((c) => c.validation))
    await deps.validation.setFromRun(report, ctx);
  return reportUri;
}
