import type { Document } from 'mongodb';
import { MigrationError } from '../errors';
import { plural } from '../format';
import { connectMongo } from '../mongo/connect';
import { HistoryStore, type MigrationRecord } from './records';

export interface RollbackOutcome {
  runId: string;
  dropped: string[];
  /** Documents removed from collections that existed before the run. */
  removed: Record<string, number>;
  /** What rollback could not undo (documented limits). */
  limits: string[];
}

/**
 * Restores the target to its state before run `runId`: collections the run created are dropped; from collections
 * that existed before, the documents it inserted are removed. Documents it replaced (upsert) or deleted
 * (--sync-deletes), and collections it dropped (--if-exists drop), cannot be restored: they are listed in `limits`.
 * A later run over the same collections must be rolled back first (or pass `force`).
 */
export async function rollback(opts: {
  mongoUrl: string;
  database: string;
  runId: string;
  force?: boolean;
  connectTimeoutMs?: number;
  /** Where the run history is kept (default: the target database). */
  historyDatabase?: string;
}): Promise<RollbackOutcome> {
  const client = await connectMongo(opts.mongoUrl, { timeoutMs: opts.connectTimeoutMs });
  try {
    const db = client.db(opts.database);
    const history = new HistoryStore(db, opts.historyDatabase ? client.db(opts.historyDatabase) : undefined);
    const record = await history.get(opts.runId);
    if (!record)
      throw new MigrationError(
        'HISTORY_MISMATCH',
        `No run ${opts.runId} in ${opts.database}.`,
        'List the runs with `sqlite2mongo history`.',
      );
    if (record.status === 'rolled-back')
      throw new MigrationError('HISTORY_MISMATCH', `Run ${opts.runId} was already rolled back.`);
    if (record.kind === 'sync') {
      throw new MigrationError(
        'HISTORY_MISMATCH',
        `Run ${opts.runId} is a sync: it brought the target to the file's state at that moment and cannot be undone on its own.`,
        'Roll back the migration it continues (and the later syncs are undone with it), or migrate again.',
      );
    }
    const names = new Set(record.collections.map((c) => c.collection));
    // Syncs continuing this run go with it: they only brought its collections up to date (marked below).
    const later = (
      await history.records
        .find({
          ...history.scope,
          startedAt: { $gt: record.startedAt },
          status: { $ne: 'rolled-back' },
          kind: { $ne: 'sync' },
        })
        .toArray()
    ).filter((r: MigrationRecord) => r.collections.some((c) => names.has(c.collection)));
    if (later.length > 0 && !opts.force) {
      throw new MigrationError(
        'HISTORY_MISMATCH',
        `Run ${opts.runId} was followed by ${later.map((r) => r._id).join(', ')} on the same collections.`,
        'Roll back the later runs first (newest first), or pass --force.',
      );
    }
    const outcome: RollbackOutcome = { runId: record._id, dropped: [], removed: {}, limits: [] };
    const insertedIds = history.insertedIds;
    for (const c of record.collections) {
      if (!c.existedBefore || c.action === 'dropped') {
        await db
          .collection(c.collection)
          .drop()
          .catch(() => undefined);
        outcome.dropped.push(c.collection);
        if (!c.existedBefore && c.action !== 'dropped')
          outcome.limits.push(
            `${c.collection}: dropped as created by the run (an empty collection that existed before counts as created).`,
          );
        if (c.action === 'dropped')
          outcome.limits.push(
            `${c.collection}: its ${c.documentsBefore} earlier documents were dropped by the run (--if-exists drop) and cannot be restored.`,
          );
        continue;
      }
      let removed = 0;
      for await (const chunk of insertedIds.find({ run: record._id, collection: c.collection })) {
        const result = await db
          .collection(c.collection)
          .deleteMany({ _id: { $in: chunk.ids as unknown[] } } as Document);
        removed += result.deletedCount;
      }
      outcome.removed[c.collection] = removed;
      outcome.limits.push(`${c.collection}: indexes the run created there are kept.`);
      if (c.insertedIdsIncomplete)
        outcome.limits.push(
          `${c.collection}: some inserted documents were not recorded (the server failed at the time) and remain.`,
        );
      if (c.action === 'upserted')
        outcome.limits.push(`${c.collection}: documents the run replaced (upsert by _id) keep their new content.`);
    }
    if (record.kind === 'incremental') outcome.limits.push('Rows deleted by --sync-deletes are not restored.');
    await insertedIds.deleteMany({ run: record._id });
    await history.update(record._id, { status: 'rolled-back', rolledBackAt: new Date() });
    const syncs = await history.records.updateMany(
      { ...history.scope, kind: 'sync', startedAt: { $gt: record.startedAt }, status: { $ne: 'rolled-back' } },
      { $set: { status: 'rolled-back', rolledBackAt: new Date() } },
    );
    if (syncs.modifiedCount > 0)
      outcome.limits.push(
        `${plural(syncs.modifiedCount, 'sync run')} after it ${syncs.modifiedCount === 1 ? 'is' : 'are'} rolled back with it.`,
      );
    return outcome;
  } finally {
    await client.close();
  }
}
