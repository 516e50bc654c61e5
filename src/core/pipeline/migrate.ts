import type { MigrationRecord } from '../history/records';
import { MigrationError } from '../errors';
import { requireMongosForShardKeys } from '../mongo/sharding';
import { RunContext } from './context';
import { finishReport, closeRecord, explainFailure } from './finish';
import { indexStep } from './indexStep';
import type { MigrateOptions } from './options';
import type { MigrationReport } from './report';
import { closeSource, openSource, type SourceStage } from './source';
import { connectTarget, explainTargetError, interruptedRun, type Connection } from './target';
import { transferStep } from './transfer';
import { validateStep } from './validateStep';
import { applySchemas, checkValidatorSupport } from './schemaStep';
import { decideWriteModes, type RunRecord, type WritePlan } from './writeMode';
import { migratedSyncState } from '../sync/migrationBase';

export type { ExistingCollection, IfExists, MigrateOptions, WriteConcernOption } from './options';

function checkOptions(opts: MigrateOptions): void {
  if ((opts.resume || opts.incremental) && opts.dryRun)
    throw new MigrationError('USAGE', '--resume and --incremental cannot be combined with --dry-run.');
  if (opts.resume && opts.incremental) throw new MigrationError('USAGE', 'Choose one of --resume and --incremental.');
}

/** The stages of one run, each the typed result of the one before (absent where this command does not need it). */
interface Stages {
  conn?: Connection;
  src?: SourceStage;
  write?: WritePlan;
}

async function runStages(ctx: RunContext, stages: Stages): Promise<void> {
  const { opts } = ctx;
  const needsTarget = !opts.dryRun && ctx.steps.some((s) => s !== 'export');
  let resumed: MigrationRecord | undefined;
  if (needsTarget) {
    stages.conn = await connectTarget(ctx);
    if (opts.resume && ctx.runs('import')) {
      // The interrupted run's own plan and options: a resume continues exactly what was started.
      const interrupted = await interruptedRun(ctx, stages.conn);
      resumed = interrupted.record;
      ctx.adoptOptions(interrupted.opts);
    }
  }
  const src = (stages.src = await openSource(ctx));
  const conn = stages.conn;
  if (conn && opts.applySchema) await checkValidatorSupport(conn.db);
  if (conn && ctx.runs('import')) await requireMongosForShardKeys(conn.db, src.plan.collections);
  if (conn && ctx.runs('import')) stages.write = await decideWriteModes(ctx, src, conn.db, resumed);
  if (ctx.runs('export') || ctx.runs('import'))
    await transferStep(ctx, src, conn && stages.write ? { db: conn.db, write: stages.write } : undefined);
  if (ctx.runs('indexes')) await indexStep(ctx, src.plan, conn?.db);
  await validateStep(ctx, src, conn?.db, stages.write);
  if (stages.write) await recordSyncBase(ctx, src, stages.write.record);
  if (conn && opts.applySchema && ctx.report.verified) await applySchemas(ctx, src, conn.db);
}

/**
 * Keeps in the run's record the state of the file it migrated (WAL position, page digests), so that the first
 * `sync` after it starts from there instead of comparing every collection (docs/sync.md). Best effort: without it
 * that sync compares everything once.
 */
async function recordSyncBase(ctx: RunContext, src: SourceStage, run: RunRecord): Promise<void> {
  const { path: file, fingerprint } = ctx.report.source;
  const state = await migratedSyncState(file, fingerprint ?? '', src.plan);
  if (state) await run.store.update(run.record._id, { sync: state }).catch(() => undefined);
}

/**
 * Migrates a SQLite database (or an intermediate file) into MongoDB in four steps — export, import (streamed
 * together), indexes, validate — and returns the report. It never throws for problems the user can act on: the
 * report's status, exitCode and error say what happened (and what was written before it stopped).
 */
export async function migrate(opts: MigrateOptions): Promise<MigrationReport> {
  const ctx = new RunContext(opts);
  const stages: Stages = {};
  let error: unknown;
  try {
    checkOptions(opts);
    await runStages(ctx, stages).catch((e: unknown) => {
      throw explainTargetError(e, opts);
    });
  } catch (e) {
    // No log event here: the report's error carries it, and front ends show that once.
    error = explainFailure(e, ctx, stages.write);
  }
  const report = finishReport(ctx, stages.src, error);
  try {
    await closeRecord(ctx, stages.write?.record);
  } finally {
    closeSource(stages.src);
    await stages.conn?.client.close().catch(() => undefined);
  }
  return report;
}
