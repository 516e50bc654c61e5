/**
 * A sync's runs in the target's history: which completed run the target matches (the base of the next sync), the
 * record of each sync (started `running`, closed with its counts), and the syncs that did not finish since a base.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MigrationError } from '../errors';
import { newRunId, planHash, type HistoryStore, type MigrationRecord, type SyncState } from '../history/records';
import type { MappingPlan } from '../plan/types';
import type { Detection } from './detect';
import type { SyncOptions, SyncOutcome } from './types';

function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

export function emptyOutcome(): SyncOutcome {
  return {
    status: 'unchanged',
    startedAt: new Date().toISOString(),
    durationMs: 0,
    changedTables: [],
    tablesRead: [],
    pagesHashed: 0,
    collections: [],
    totals: { unchanged: 0, replaced: 0, inserted: 0, deleted: 0, failed: 0, mismatches: 0 },
    notes: [],
  };
}

export class SyncRuns {
  constructor(
    private readonly history: HistoryStore,
    private readonly opts: SyncOptions,
    private readonly file: string,
  ) {}

  /**
   * The completed run the target matches: the newest completed migration or sync of this file. Only runs that wrote
   * (a migration's import, a sync) are recorded at all: a validation-only or dry run leaves no record to mistake.
   */
  async base(): Promise<MigrationRecord> {
    const base = await this.history.latestCompleted();
    if (!base) {
      throw new MigrationError(
        'HISTORY_MISMATCH',
        `No completed migration in ${this.opts.database} to keep in sync.`,
        `Migrate first: sqlite2mongo migrate --sqlite-url ${this.file} --mongodb-db ${this.opts.database}`,
      );
    }
    if (realPath(base.source.path) !== realPath(this.file)) {
      throw new MigrationError(
        'HISTORY_MISMATCH',
        `${this.opts.database} was migrated from ${base.source.path}, not ${this.file}.`,
        'Sync the file it was migrated from, or migrate this one into another database.',
      );
    }
    return base;
  }

  /** Syncs since `base` that did not finish (running when killed, failed, cancelled). */
  async unfinishedSince(base: MigrationRecord): Promise<MigrationRecord[]> {
    return this.history.records
      .find({
        ...this.history.scope,
        kind: 'sync',
        status: { $in: ['running', 'failed', 'cancelled'] },
        startedAt: { $gt: base.startedAt },
      })
      .toArray();
  }

  async start(
    base: MigrationRecord,
    source: { sizeBytes: number; fingerprint: string },
    state: SyncState,
    collections: string[],
  ): Promise<MigrationRecord> {
    const plan = JSON.parse(base.plan) as MappingPlan;
    // Syncs that died (killed, server gone) stay 'running' otherwise; this one redoes their work.
    await this.history.records.updateMany(
      { ...this.history.scope, kind: 'sync', status: 'running' },
      {
        $set: {
          status: 'failed',
          updatedAt: new Date(),
          error: {
            code: 'INTERRUPTED',
            message: 'The sync stopped before finishing; a later sync compared its collections again.',
          },
        },
      },
    );
    const now = new Date();
    const record: MigrationRecord = {
      _id: newRunId(now),
      kind: 'sync',
      parent: base._id,
      status: 'running',
      source: { path: this.file, sizeBytes: source.sizeBytes, fingerprint: source.fingerprint },
      planHash: planHash(plan),
      plan: base.plan,
      options: { sync: true, ...(this.opts.validate ? { validate: true } : {}) },
      startedAt: now,
      updatedAt: now,
      collections: collections.map((name) => ({
        collection: name,
        table: plan.collections.find((c) => c.collection === name)?.table ?? '',
        existedBefore: true,
        documentsBefore: 0,
        action: 'upserted',
        checkpoint: 0,
        done: false,
        imported: 0,
        failed: 0,
      })),
      sync: state,
    };
    await this.history.insert(record);
    return record;
  }

  async finish(record: MigrationRecord, outcome: SyncOutcome, status: 'completed' | 'failed' | 'cancelled') {
    for (const c of record.collections) {
      const done = outcome.collections.find((x) => x.collection === c.collection);
      if (!done) continue;
      c.done = true;
      c.imported = done.replaced + done.inserted;
      c.failed = done.failed;
    }
    const { totals } = outcome;
    await this.history.update(
      record._id,
      {
        status,
        finishedAt: new Date(),
        collections: record.collections,
        totals: { ...totals, changedTables: outcome.changedTables.length, compared: outcome.collections.length },
        ...(outcome.error ? { error: { code: outcome.error.code, message: outcome.error.message } } : {}),
      },
      { durable: true },
    );
  }

  /**
   * Adds the collections of syncs that did not finish since `base`: what they wrote may be newer than `base`, so
   * they are compared whole (`whole`). Not needed for a sync narrowed from the same base when this one is narrowed
   * too: the pages it saw changed are among this one's.
   */
  async withInterrupted(detection: Detection, plan: MappingPlan, base: MigrationRecord, log: (m: string) => void) {
    const unfinished = (await this.unfinishedSince(base)).filter(
      (r) => !(detection.changed && r.sync?.narrowed && r.parent === base._id),
    );
    const whole = new Set(unfinished.flatMap((r) => r.collections.map((c) => c.collection)));
    if (whole.size > 0)
      log(
        `Comparing again what ${unfinished.length} unfinished sync(s) since ${base._id} were writing: ${[...whole].join(', ')}.`,
      );
    const affected = plan.collections.filter((c) => detection.affected.includes(c) || whole.has(c.collection));
    return { affected, whole };
  }
}
