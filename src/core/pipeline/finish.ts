import { ErrorCodes, MigrationError, isMigrationError } from '../errors';
import type { RecordStatus } from '../history/records';
import { isTransientError } from '../mongo/retry';
import { settleAccounts } from './accounts';
import type { RunContext } from './context';
import type { MigrationReport } from './report';
import type { SourceStage } from './source';
import type { RunRecord, WritePlan } from './writeMode';

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * The server went away (killed, restarted, network gone) and retries did not bring it back: say so, say how much
 * was written and how much the checkpoints vouch for, and that --resume continues from there.
 */
export function explainFailure(e: unknown, ctx: RunContext, write: WritePlan | undefined): unknown {
  const lost = isMigrationError(e) ? e.code === 'TARGET_UNREACHABLE' && !!write : isTransientError(e);
  if (!lost || !write) return e;
  const collections = ctx.report.collections;
  const written = collections.reduce((n, c) => n + c.imported, 0);
  const entries = write.record.record.collections;
  const checkpointed = entries.reduce((n, c) => n + (c.done ? c.imported : c.checkpoint), 0);
  const where = isMigrationError(e) ? / while writing (.+?): /.exec(e.message)?.[1] : undefined;
  const cause =
    e instanceof Error ? (isMigrationError(e) && e.cause instanceof Error ? e.cause.message : e.message) : String(e);
  return new MigrationError(
    'TARGET_UNREACHABLE',
    `The MongoDB server went away${where ? ` while writing ${where}` : ''} (${cause}). ${fmt(written)} documents were written by this run, ${fmt(checkpointed)} of them checkpointed in run ${write.record.record._id}.`,
    'When the server is back, run the same command again with --resume: checkpointed work is kept, finished collections are skipped, nothing is duplicated.',
    { cause: e },
  );
}

export function finishReport(ctx: RunContext, src: SourceStage | undefined, error?: unknown): MigrationReport {
  const r = ctx.report;
  r.finishedAt = new Date().toISOString();
  r.durationMs = Date.now() - ctx.started;
  const sum = (pick: (c: MigrationReport['collections'][number]) => number) =>
    r.collections.reduce((n, c) => n + pick(c), 0);
  r.totals.imported = sum((c) => c.imported);
  r.totals.failed = sum((c) => c.failed);
  r.totals.duplicates = sum((c) => c.duplicates);
  r.totals.deleted = sum((c) => c.deleted);
  r.totals.unchanged = sum((c) => c.unchanged);
  r.totals.replaced = sum((c) => c.replaced);
  r.totals.inserted = sum((c) => c.inserted);
  const unaccounted = error ? undefined : settleAccounts(ctx, src);
  if (error) {
    const e = isMigrationError(error)
      ? error
      : new MigrationError('INTERNAL', error instanceof Error ? error.message : String(error), undefined, {
          cause: error,
        });
    r.status = e.code === 'CANCELLED' ? 'cancelled' : 'failed';
    r.exitCode = e.exitCode;
    r.error = { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  } else if (unaccounted) {
    r.status = 'failed';
    r.exitCode = ErrorCodes.ROWS_UNACCOUNTED;
    r.error = {
      code: 'ROWS_UNACCOUNTED',
      message: unaccounted,
      hint: 'See "accounting" in the report: list tables left out on purpose under "skipped" in the plan.',
    };
  } else if (ctx.opts.dryRun) {
    r.status = 'dry-run';
    r.exitCode = 0;
  } else if (r.totals.failed > 0) {
    r.status = 'failed';
    r.exitCode = ErrorCodes.ROWS_FAILED;
    r.error = { code: 'ROWS_FAILED', message: `${r.totals.failed} row(s) were refused by the server (see errors).` };
  } else if (r.totals.mismatches > 0 || r.collections.some((c) => c.indexes.some((i) => i.status === 'failed'))) {
    r.status = 'failed';
    r.exitCode = ErrorCodes.VALIDATION_FAILED;
    r.error = {
      code: 'VALIDATION_FAILED',
      message:
        r.totals.mismatches > 0
          ? `${r.totals.mismatches} mismatch(es) between source and target (see mismatches).`
          : 'Some indexes could not be created.',
    };
  } else {
    r.status = 'succeeded';
    r.exitCode = 0;
  }
  return r;
}

/** Closes the run's history record. Best effort: a server that just died cannot take it, and then it stays "running" for --resume. */
export async function closeRecord(ctx: RunContext, run: RunRecord | undefined): Promise<void> {
  if (!run) return;
  const r = ctx.report;
  const status: RecordStatus =
    r.status === 'succeeded' ? 'completed' : r.status === 'cancelled' ? 'cancelled' : 'failed';
  await run.store
    .update(run.record._id, {
      status,
      finishedAt: new Date(),
      collections: run.record.collections,
      totals: { ...r.totals },
      verified: r.verified === true,
      ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}),
    })
    .catch((e: Error) => ctx.log('warn', `Could not record the run's end in the history: ${e.message}`));
}
