import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ErrorCodes, MigrationError, isMigrationError } from '../errors';
import type { RecordStatus } from '../history/records';
import type { MigrationReport } from './report';
import { prepareSource, prepareTarget } from './prepare';
import { Run, type MigrateOptions } from './run';
import { exportStep, importStep, indexStep, validateStep } from './steps';
import { settleAccounts } from './accounts';

export type { ExistingCollection, IfExists, MigrateOptions } from './run';

function finish(run: Run, error?: unknown): MigrationReport {
  const r = run.report;
  r.finishedAt = new Date().toISOString();
  r.durationMs = Date.now() - run.started;
  r.totals.imported = r.collections.reduce((n, c) => n + c.imported, 0);
  r.totals.failed = r.collections.reduce((n, c) => n + c.failed, 0);
  r.totals.duplicates = r.collections.reduce((n, c) => n + c.duplicates, 0);
  const unaccounted = error ? undefined : settleAccounts(run);
  if (error) {
    const e = isMigrationError(error) ? error : new MigrationError('INTERNAL', error instanceof Error ? error.message : String(error), undefined, { cause: error });
    r.status = e.code === 'CANCELLED' ? 'cancelled' : 'failed';
    r.exitCode = e.exitCode;
    r.error = { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  } else if (unaccounted) {
    r.status = 'failed';
    r.exitCode = ErrorCodes.ROWS_UNACCOUNTED;
    r.error = { code: 'ROWS_UNACCOUNTED', message: unaccounted, hint: 'See "accounting" in the report: list tables left out on purpose under "skipped" in the plan.' };
  } else if (run.opts.dryRun) {
    r.status = 'dry-run';
    r.exitCode = 0;
  } else if (r.totals.failed > 0) {
    r.status = 'failed';
    r.exitCode = ErrorCodes.ROWS_FAILED;
    r.error = { code: 'ROWS_FAILED', message: `${r.totals.failed} row(s) were refused by the server (see errors).` };
  } else if (r.totals.mismatches > 0 || r.collections.some((c) => c.indexes.some((i) => i.status === 'failed'))) {
    r.status = 'failed';
    r.exitCode = ErrorCodes.VALIDATION_FAILED;
    r.error = { code: 'VALIDATION_FAILED', message: r.totals.mismatches > 0 ? `${r.totals.mismatches} mismatch(es) between source and target (see mismatches).` : 'Some indexes could not be created.' };
  } else {
    r.status = 'succeeded';
    r.exitCode = 0;
  }
  return r;
}

/** Closes the run's history record. Best effort: a server that just died cannot take it, and then it stays "running" for --resume. */
async function closeRecord(run: Run): Promise<void> {
  if (!run.history || !run.record) return;
  const r = run.report;
  const status: RecordStatus = r.status === 'succeeded' ? 'completed' : r.status === 'cancelled' ? 'cancelled' : 'failed';
  await run.history
    .update(run.record._id, {
      status,
      finishedAt: new Date(),
      collections: run.record.collections,
      totals: { ...r.totals },
      ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}),
    })
    .catch((e: Error) => run.log('warn', `Could not record the run's end in the history: ${e.message}`));
}

/**
 * Migrates a SQLite database (or an intermediate file) into MongoDB in four steps — export, import, indexes,
 * validate — and returns the report. It never throws for problems the user can act on: the report's status,
 * exitCode and error say what happened (and what was written before it stopped).
 */
export async function migrate(opts: MigrateOptions): Promise<MigrationReport> {
  const run = new Run(opts);
  let report: MigrationReport;
  try {
    if ((opts.resume || opts.incremental) && opts.dryRun) throw new MigrationError('USAGE', '--resume and --incremental cannot be combined with --dry-run.');
    if (opts.resume && opts.incremental) throw new MigrationError('USAGE', 'Choose one of --resume and --incremental.');
    await prepareSource(run);
    if (!opts.dryRun && run.steps.some((s) => s !== 'export')) await prepareTarget(run);
    if (run.steps.includes('export') || opts.inputFile) await exportStep(run);
    else run.ndjsonPath = opts.inputFile;
    await importStep(run);
    await indexStep(run);
    await validateStep(run);
    report = finish(run);
  } catch (e) {
    // No log event here: the report's error carries it, and front ends show that once.
    report = finish(run, e);
  }
  try {
    await closeRecord(run);
  } finally {
    run.source?.close();
    await run.client?.close().catch(() => undefined);
    if (run.removeNdjson && run.ndjsonPath) await fs.rm(path.dirname(run.ndjsonPath), { recursive: true, force: true });
  }
  return report;
}
