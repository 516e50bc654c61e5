/** `sqlite2mongo sync [--watch]`: terminal side only (the engine is core/sync). */
import { promises as fs } from 'node:fs';
import {
  defaultDatabaseName,
  ErrorCodes,
  MigrationError,
  resolveSqliteUrl,
  syncDatabase,
  watchDatabase,
  type SyncEvent,
  type SyncOutcome,
} from '../core';
import type { CliOptions } from './args';

const fmt = (n: number) => n.toLocaleString('en-US');

/** One line per sync: when, what changed, what was written. */
export function describeOutcome(o: SyncOutcome): string {
  const time = o.startedAt.slice(11, 19);
  const secs = `${(o.durationMs / 1000).toFixed(1)}s`;
  if (o.error) return `${time} sync ${o.status}: ${o.error.message}${o.error.hint ? `\n  hint: ${o.error.hint}` : ''}`;
  if (o.status === 'unchanged') {
    const why =
      o.changedTables.length > 0
        ? `pages of ${o.changedTables.join(', ')} changed, but no collection reads them`
        : 'nothing changed';
    return `${time} in sync: ${why} (${secs})${o.runId ? `  run ${o.runId}` : ''}`;
  }
  const t = o.totals;
  const per = o.collections
    .map((c) => `${c.collection} ${fmt(c.inserted)}+ ${fmt(c.replaced)}~ ${fmt(c.deleted)}-`)
    .join(', ');
  const checked = t.mismatches === 0 && o.collections.some((c) => c.mismatches !== undefined) ? ', validated' : '';
  return `${time} synced ${o.changedTables.join(', ') || 'interrupted work'} → ${fmt(t.inserted)} inserted, ${fmt(t.replaced)} replaced, ${fmt(t.deleted)} deleted, ${fmt(t.unchanged)} unchanged${checked} (${per}) in ${secs}  run ${o.runId}`;
}

function printer(opts: CliOptions): (e: SyncEvent) => void {
  return (e) => {
    if (opts.json) {
      process.stdout.write(JSON.stringify(e) + '\n');
      return;
    }
    if (e.type === 'log' && (e.level !== 'info' || !opts.quiet))
      process.stderr.write(`${e.level === 'info' ? '' : `${e.level}: `}${e.message}\n`);
    if (e.type === 'sync-end' && (!opts.quiet || e.outcome.error))
      (e.outcome.error ? process.stderr : process.stdout).write(describeOutcome(e.outcome) + '\n');
    for (const note of e.type === 'sync-end' ? e.outcome.notes : []) process.stderr.write(`note: ${note}\n`);
  };
}

export async function syncCommand(opts: CliOptions): Promise<number> {
  if (!opts.sqliteUrl)
    throw new MigrationError('USAGE', 'sync needs --sqlite-url (the live database that was migrated).');
  const sqlitePath = resolveSqliteUrl(opts.sqliteUrl);
  const database = opts.mongodbDb ?? defaultDatabaseName(sqlitePath);
  const onEvent = printer(opts);
  const common = {
    sqlitePath,
    mongoUrl: opts.mongodbUrl,
    database,
    historyDatabase: opts.historyDb,
    connectTimeoutMs: opts.connectTimeoutMs,
    batchSize: opts.batchSize,
    concurrency: opts.concurrency,
    validate: opts.syncValidate,
    onEvent,
  };
  if (!opts.watch) {
    const outcome = await syncDatabase(common);
    if (opts.reportFile) await fs.writeFile(opts.reportFile, JSON.stringify(outcome, null, 2) + '\n');
    return outcome.error ? (ErrorCodes[outcome.error.code as keyof typeof ErrorCodes] ?? ErrorCodes.INTERNAL) : 0;
  }
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(ErrorCodes.CANCELLED);
    if (!opts.json) process.stderr.write('Stopping… (the sync in progress is cancelled; the next one redoes it)\n');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (!opts.json && !opts.quiet) process.stderr.write(`Watching ${sqlitePath} → ${database} (Ctrl+C stops).\n`);
  try {
    const failure = await watchDatabase({ ...common, intervalMs: opts.intervalMs, signal: controller.signal });
    if (!failure) return 0;
    return ErrorCodes[failure.error?.code as keyof typeof ErrorCodes] ?? ErrorCodes.INTERNAL;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
