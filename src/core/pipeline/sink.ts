import type { Db, Document } from 'mongodb';
import { PrefixTracker } from '../history/checkpoint';
import { serializeOrUndefined } from '../mongo/rawInsert';
import { Reconciler } from '../mongo/reconcile';
import { BulkWriter } from '../mongo/writer';
import type { CollectionPlan } from '../plan/types';
import type { CheckpointSaver } from './checkpoints';
import type { RunContext } from './context';
import type { CollectionReport } from './report';
import { entryOf, type RunRecord, type WriteMode } from './writeMode';

const KEEP_ERRORS = 1000;

/**
 * Where one collection's documents go when they are written: a pipelined bulk writer (the bounded queue between
 * the builder and the server: `add` waits while `concurrency` batches are in flight), and for reruns the
 * comparing merge in front of it. Keeps the report's counts and the run's checkpoints.
 */
export class CollectionSink {
  private readonly writer: BulkWriter;
  private readonly reconciler: Reconciler | undefined;
  private readonly report: CollectionReport;
  private skip: number;
  private readonly startImported: number;
  private readonly onProgress: (handled: number) => void;
  private added = 0;

  constructor(
    private readonly ctx: RunContext,
    db: Db,
    plan: CollectionPlan,
    private readonly mode: Exclude<WriteMode, { kind: 'skip' }>,
    private readonly run: RunRecord | undefined,
    private readonly saver: CheckpointSaver,
    onProgress: (handled: number) => void,
  ) {
    const { opts } = ctx;
    this.onProgress = onProgress;
    const name = plan.collection;
    this.report = ctx.collection(name);
    const entry = entryOf(run, name);
    this.skip = mode.kind === 'insert' ? mode.skip : 0;
    // Resuming: the checkpointed prefix is counted as imported already.
    if (mode.kind === 'insert' && mode.onConflict === 'ours') this.report.imported = mode.skip;
    this.startImported = this.report.imported;
    const tracker = new PrefixTracker(this.skip);
    // Only documents added to collections that were there before need remembering for rollback.
    const trackNewIds = !!entry && entry.existedBefore && entry.action !== 'dropped';
    this.writer = new BulkWriter(db.collection(name), {
      db,
      collectionName: name,
      batchSize: opts.batchSize,
      concurrency: opts.concurrency,
      onConflict: mode.kind === 'insert' ? mode.onConflict : 'replace',
      onError: opts.onError ?? 'stop',
      signal: opts.signal,
      retryAttempts: opts.retryAttempts,
      writeConcern: opts.writeConcern,
      trackNewIds,
      onBatch: () => onProgress(this.handled()),
      onBatchDone: async ({ seq, size, newIds }) => {
        if (!entry || !run) return;
        if (trackNewIds && newIds.length > 0) {
          await run.store.recordInsertedIds(run.record._id, name, newIds).catch((e: Error) => {
            // Rollback can then not remove everything this run added here: the record says so.
            entry.insertedIdsIncomplete = true;
            ctx.log('warn', `Could not record inserted _ids of ${name} for rollback: ${e.message}`);
          });
        }
        tracker.complete(seq, size);
        // A comparing pass is checkpointed only when done: its resume compares again from the start.
        if (mode.kind !== 'compare') entry.checkpoint = tracker.count;
        saver.maybeSave();
      },
    });
    if (mode.kind === 'compare') {
      this.reconciler = new Reconciler(db.collection(name), this.writer, {
        deletes: mode.deletes,
        table: plan.table,
        signal: opts.signal,
        onWarning: (m) => ctx.log('warn', `${name}: ${m}`),
      });
    }
  }

  /** Documents dealt with so far: written, refused, found unchanged, or skipped as checkpointed. */
  handled(): number {
    const c = this.writer.counts;
    return this.startImported + c.written + c.failed + (this.reconciler?.counts.unchanged ?? 0);
  }

  /** Documents this run dealt with here: written, refused or found unchanged (not those a resumed run had written). */
  handledThisRun(): number {
    return this.handled() - this.startImported;
  }

  /** Takes one document; returns a promise only when the caller must wait (a batch sent, or a comparing rerun). */
  add(doc: Document, table: string): Promise<void> | undefined {
    if (this.skip > 0) {
      this.skip--;
      return undefined;
    }
    // Serialised once: the comparison and the insert command use the same bytes.
    const bson = serializeOrUndefined(doc);
    if (!this.reconciler || !bson) return this.writer.add(doc, table, undefined, bson); // (too large: the writer reports it)
    return this.compare(doc, bson);
  }

  private async compare(doc: Document, bson: Uint8Array): Promise<void> {
    await this.reconciler?.add(doc, bson);
    // Unchanged documents are progress too, though no batch reports them.
    if ((++this.added & 1023) === 0) this.onProgress(this.handled());
  }

  /** Waits for every write, then records the counts and marks the collection done in the run's record. */
  async finish(): Promise<void> {
    const reconciled = await this.reconciler?.finish();
    await this.writer.finish();
    this.onProgress(this.handled());
    this.keepCounts();
    if (reconciled) {
      this.report.unchanged = reconciled.unchanged;
      this.report.deleted = reconciled.deleted;
      if (reconciled.gone > 0 && !(this.mode.kind === 'compare' && this.mode.deletes)) {
        this.ctx.log(
          'info',
          `${this.report.collection}: ${reconciled.gone} document(s) the source does not have were left in place (--sync-deletes removes them).`,
        );
      }
    }
    const entry = entryOf(this.run, this.report.collection);
    if (entry) {
      entry.done = true;
      entry.imported = this.report.imported;
      entry.failed = this.report.failed;
      await this.saver.flush();
    }
  }

  /** Stopped part-way (refused row with --on-error stop, cancel, lost server): keeps what the writer knows. */
  async abort(): Promise<void> {
    await this.reconciler?.close();
    await this.writer.drain();
    this.keepCounts();
    await this.saver.flush();
  }

  private keepCounts(): void {
    const c = this.writer.counts;
    const r = this.report;
    r.imported = this.startImported + c.written;
    r.replaced = c.replaced;
    r.inserted = c.written - c.replaced;
    r.failed = c.failed;
    r.duplicates = c.duplicates;
    r.duplicateKeys = c.duplicateKeys;
    const errors = this.ctx.report.errors;
    errors.push(...c.errors.slice(0, Math.max(0, KEEP_ERRORS - errors.length)));
  }
}
