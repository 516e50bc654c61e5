import { BSON, MongoBulkWriteError, MongoServerError, type AnyBulkWriteOperation, type Collection, type Document } from 'mongodb';

// The driver re-exports the bson package it was built with; using that copy keeps one BSON implementation.
const { EJSON } = BSON;
import { MigrationError, throwIfAborted } from '../errors';
import { isTransientError, withRetry } from './retry';

export const DEFAULT_BATCH_SIZE = 1000;
export const DEFAULT_CONCURRENCY = 4;
/** MongoDB's document limit (maxBsonObjectSize). Bigger documents are reported per row, never sent. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;
const KEEP_ERRORS = 1000;
const KEEP_DUPLICATE_KEYS = 20;

export interface RowError {
  collection: string;
  table: string;
  /** The source row's key, e.g. "42" or "1, 5". */
  key: string;
  /** The document's _id as Extended JSON. */
  id: string;
  code?: number;
  reason: string;
}

export interface WriteCounts {
  written: number;
  failed: number;
  duplicates: number;
  duplicateKeys: string[];
  errors: RowError[];
  retries: number;
}

interface Pending {
  doc: Document;
  table: string;
  key: string;
}

export interface BulkWriterOptions {
  collectionName: string;
  batchSize?: number;
  concurrency?: number;
  /** insert: unordered insertMany; upsert: unordered replaceOne-upsert by _id (idempotent reruns). */
  mode: 'insert' | 'upsert';
  onError: 'stop' | 'skip';
  signal?: AbortSignal;
  onBatch?: (counts: WriteCounts) => void;
  /**
   * Called when batch `seq` (numbered from 0 in the order documents were added) has been written, including its
   * refused rows. `newIds` lists the _ids it created (not replaced) when `trackNewIds` is set — for rollback.
   */
  onBatchDone?: (done: { seq: number; size: number; newIds: unknown[] }) => void | Promise<void>;
  trackNewIds?: boolean;
}

function idText(doc: Document): string {
  try {
    return EJSON.stringify(doc._id, { relaxed: true });
  } catch {
    return String(doc._id);
  }
}

/**
 * Pipelined unordered bulk writes: batches of `batchSize`, up to `concurrency` batches in flight, and `add()`
 * waits when all are busy, so the reader never runs ahead of the server (bounded memory). Per-document failures
 * (duplicate key, value refused, too large) are collected with table and key; transient network failures are
 * retried, and a retried batch is written as upserts so a batch that half-landed is never duplicated.
 */
export class BulkWriter {
  private batch: Pending[] = [];
  private nextSeq = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private stopError: MigrationError | undefined;
  readonly counts: WriteCounts = { written: 0, failed: 0, duplicates: 0, duplicateKeys: [], errors: [], retries: 0 };
  private readonly batchSize: number;
  private readonly concurrency: number;

  constructor(private readonly collection: Collection, private readonly opts: BulkWriterOptions) {
    this.batchSize = Math.max(1, opts.batchSize ?? DEFAULT_BATCH_SIZE);
    this.concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
  }

  /** Queues a document; `key` names the source row in reports (defaults to the `_id`). Waits while the pipeline is full. */
  async add(doc: Document, table: string, key: string = idText(doc)): Promise<void> {
    if (this.stopError) throw this.stopError;
    throwIfAborted(this.opts.signal);
    const size = BSON.calculateObjectSize(doc);
    if (size > MAX_DOCUMENT_BYTES) {
      this.recordError({ collection: this.opts.collectionName, table, key, id: idText(doc), code: 10334, reason: `document is ${size} bytes, over MongoDB's 16 MiB limit` });
      if (this.stopError) throw this.stopError;
      return;
    }
    this.batch.push({ doc, table, key });
    if (this.batch.length >= this.batchSize) await this.dispatch();
  }

  /** Sends what is buffered and waits for every batch in flight. */
  async finish(): Promise<WriteCounts> {
    if (this.batch.length > 0 && !this.stopError) await this.dispatch();
    await Promise.all(this.inFlight);
    if (this.stopError) throw this.stopError;
    return this.counts;
  }

  /** Waits for batches in flight without sending more (used on cancel). */
  async drain(): Promise<void> {
    this.batch = [];
    await Promise.allSettled(this.inFlight);
  }

  private async dispatch(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    if (this.stopError) throw this.stopError;
    const p = this.write(batch, this.nextSeq++).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async write(batch: Pending[], seq: number): Promise<void> {
    let attempt = 0;
    let newIds: unknown[] = [];
    let done = false;
    await withRetry(
      async () => {
        // A retry may follow a batch that partly landed: upserts make writing it again harmless.
        const upsert = this.opts.mode === 'upsert' || attempt++ > 0;
        try {
          if (upsert) {
            const r = await this.upsertBatch(batch);
            this.counts.written += r.upsertedCount + r.matchedCount;
            newIds = Object.values(r.upsertedIds);
          } else {
            // Await first, then add: `x += await y` reads x before the await and loses concurrent batches' counts.
            const r = await this.collection.insertMany(batch.map((p) => p.doc), { ordered: false });
            this.counts.written += r.insertedCount;
            newIds = batch.map((p) => p.doc._id);
          }
          done = true;
        } catch (e) {
          if (e instanceof MongoBulkWriteError && Array.isArray(e.writeErrors) && e.writeErrors.length > 0 && !isTransientError(e)) {
            this.counts.written += upsert ? (e.result?.upsertedCount ?? 0) + (e.result?.matchedCount ?? 0) : (e.result?.insertedCount ?? 0);
            const refused = new Set<number>();
            for (const we of e.writeErrors) {
              const pending = batch[we.index];
              refused.add(we.index);
              this.recordError({ collection: this.opts.collectionName, table: pending.table, key: pending.key, id: idText(pending.doc), code: we.code, reason: we.errmsg ?? 'refused by the server' });
            }
            newIds = upsert ? Object.values(e.result?.upsertedIds ?? {}) : batch.filter((_, i) => !refused.has(i)).map((p) => p.doc._id);
            done = true;
            return;
          }
          throw e;
        }
      },
      { signal: this.opts.signal, onRetry: () => this.counts.retries++ },
    ).catch((e) => {
      if (e instanceof MigrationError) throw e;
      // A failure of the whole batch that is not transient (or kept failing): stop the run with the reason.
      this.stopError ??= new MigrationError('TARGET_REFUSED', `Writing to ${this.opts.collectionName} failed: ${(e as Error).message}`, e instanceof MongoServerError ? `Server error code ${e.code}.` : 'Check the server is reachable, then rerun with --resume.', { cause: e });
    });
    if (done) await this.opts.onBatchDone?.({ seq, size: batch.length, newIds: this.opts.trackNewIds ? newIds : [] });
    this.opts.onBatch?.(this.counts);
  }

  private async upsertBatch(batch: Pending[]) {
    const ops: AnyBulkWriteOperation[] = batch.map((p) => ({ replaceOne: { filter: { _id: p.doc._id }, replacement: p.doc, upsert: true } }));
    return this.collection.bulkWrite(ops, { ordered: false });
  }

  private recordError(err: RowError): void {
    this.counts.failed++;
    if (err.code === 11000) {
      this.counts.duplicates++;
      if (this.counts.duplicateKeys.length < KEEP_DUPLICATE_KEYS) this.counts.duplicateKeys.push(err.key);
    }
    if (this.counts.errors.length < KEEP_ERRORS) this.counts.errors.push(err);
    if (this.opts.onError === 'stop' && !this.stopError) {
      this.stopError = new MigrationError('ROWS_FAILED', `${err.collection}: row ${err.key} (_id ${err.id}) was refused: ${err.reason}`, 'Fix the row, or rerun with --on-error skip to migrate the rest and list every refused row.');
    }
  }
}
