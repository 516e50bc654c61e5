import { MongoServerError, type Db, type MongoClient } from 'mongodb';
import { MigrationError } from '../errors';
import type { MigrationRecord } from '../history/records';
import { checkDatabaseName, connectMongo, explainConnectionError } from '../mongo/connect';
import { DEFAULT_CONCURRENCY } from '../mongo/writer';
import type { RunContext } from './context';
import { historyStore } from './writeMode';
import type { MigrateOptions } from './options';

export interface Connection {
  client: MongoClient;
  db: Db;
}

/** Connects to the target database; names the server's refusals (database name, credentials) clearly. */
export async function connectTarget(ctx: RunContext): Promise<Connection> {
  const { opts } = ctx;
  checkDatabaseName(opts.database);
  if (opts.historyDatabase) checkDatabaseName(opts.historyDatabase);
  const client = await connectMongo(opts.mongoUrl, {
    timeoutMs: opts.connectTimeoutMs,
    maxPoolSize: Math.max(4, (opts.concurrency ?? DEFAULT_CONCURRENCY) + 2),
  });
  return { client, db: client.db(opts.database) };
}

/** The server's refusals that show up at the first real command, in the user's words. */
export function explainTargetError(e: unknown, opts: MigrateOptions): unknown {
  // A name MongoDB allows but this server does not (FerretDB is stricter) shows up at the first write.
  if (e instanceof MongoServerError && e.code === 73) {
    return new MigrationError(
      'TARGET_DB_NAME_INVALID',
      `The server refuses the database name ${JSON.stringify(opts.database)}: ${e.message}`,
      'Use letters, digits, "_" and "-" (pass --mongodb-db).',
      { cause: e },
    );
  }
  // Unauthorized: the server wants credentials the URL does not carry (or a user without rights on the database).
  if (e instanceof MongoServerError && e.code === 13) return explainConnectionError(e, opts.mongoUrl);
  return e;
}

/**
 * --resume continues a run with the plan and options it was started with (from its history record), so a run
 * started from the designer or with other options resumes as it began. Explicit batch size and concurrency win.
 */
export async function interruptedRun(
  ctx: RunContext,
  conn: Connection,
): Promise<{ record: MigrationRecord; opts: MigrateOptions }> {
  const record = await historyStore(ctx, conn.db).latestUnfinished();
  if (!record)
    throw new MigrationError(
      'HISTORY_MISMATCH',
      `Nothing to resume in ${ctx.opts.database}: it has no interrupted run.`,
      'Run the migration without --resume.',
    );
  const o = record.options as Partial<MigrateOptions & { validate: boolean }>;
  const opts: MigrateOptions = {
    ...ctx.opts,
    plan: ctx.opts.plan ?? (JSON.parse(record.plan) as MigrateOptions['plan']),
    batchSize: ctx.opts.batchSize ?? o.batchSize,
    concurrency: ctx.opts.concurrency ?? o.concurrency,
    onError: (o.onError as MigrateOptions['onError']) ?? ctx.opts.onError,
    syncDeletes: o.syncDeletes ?? ctx.opts.syncDeletes,
    skipValidation: ctx.opts.skipValidation || o.validate === false,
    writeConcern: ctx.opts.writeConcern ?? o.writeConcern,
  };
  return { record, opts };
}
