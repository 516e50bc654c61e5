import { BSON, MongoServerError, type Collection, type Db, type Document, type WriteConcern } from 'mongodb';

// The driver re-exports the bson package it was built with; using that copy keeps one BSON implementation.
const { EJSON } = BSON;
import { MigrationError, throwIfAborted } from '../errors';
import { insertClassified, serializeOrUndefined, type InsertOutcome } from './rawInsert';
import { isTransientError, withRetry } from './retry';

export const DEFAULT_BATCH_SIZE = 1000;
export const DEFAULT_CONCURRENCY = 4;
/** A batch is also sent once its documents reach this many BSON bytes, so large rows keep memory bounded. */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;
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
  /** Of `written`: documents replaced (they existed with other content), the rest were inserted. */
  replaced: number;
  failed: number;
  duplicates: number;
  duplicateKeys: string[];
  errors: RowError[];
  retries: number;
}

interface Pending {
  doc: Document;
  /** The document's BSON: serialised once, sent as these bytes. */
  bson: Uint8Array;
  table: string;
  /** Undefined: the `_id` names the row (worked out only if the row is refused: it costs an EJSON.stringify). */
  key?: string;
}

export interface BulkWriterOptions {
  /** The database of the collection: inserts are sent as commands carrying the documents' serialised bytes. */
  db: Db;
  collectionName: string;
  batchSize?: number;
  concurrency?: number;
  /**
   * What an `_id` that exists already means: `refuse` — a duplicate, reported per row; `ours` — written by the
   * interrupted run being resumed (same source, checked by validation), counted as written; `replace` — replaced
   * by the new document (delete and insert in one batch, see replace()).
   */
  onConflict: 'refuse' | 'ours' | 'replace';
  onError: 'stop' | 'skip';
  signal?: AbortSignal;
  onBatch?: (counts: WriteCounts) => void;
  /**
   * Called when batch `seq` (numbered from 0 in the order documents were added) has been written, including its
   * refused rows. `newIds` lists the _ids it created (not replaced) when `trackNewIds` is set — for rollback.
   */
  onBatchDone?: (done: { seq: number; size: number; newIds: unknown[] }) => void | Promise<void>;
  trackNewIds?: boolean;
  writeConcern?: WriteConcern;
  /** Tries per batch on transient failures (default 6, with 15.5 s of backoff in all). */
  retryAttempts?: number;
  /** Called before each batch or delete is sent; throwing stops the write (sync: the source read must be proven whole). */
  beforeWrite?: () => void;
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
  private batchBytes = 0;
  private nextSeq = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private stopError: MigrationError | undefined;
  readonly counts: WriteCounts = {
    written: 0,
    replaced: 0,
    failed: 0,
    duplicates: 0,
    duplicateKeys: [],
    errors: [],
    retries: 0,
  };
  private readonly batchSize: number;
  private readonly concurrency: number;

  constructor(
    private readonly collection: Collection,
    private readonly opts: BulkWriterOptions,
  ) {
    this.batchSize = Math.max(1, opts.batchSize ?? DEFAULT_BATCH_SIZE);
    this.concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
  }

  /**
   * Queues a document (and its BSON, when the caller serialised it already); `key` names the source row in reports
   * (defaults to the `_id`). Returns a promise only when a batch is sent (await it: it waits while the pipeline is
   * full); queueing alone returns undefined, so a document costs no promise (the hot path of every import).
   */
  add(doc: Document, table: string, key?: string, bson = serializeOrUndefined(doc)): Promise<void> | undefined {
    if (this.stopError) throw this.stopError;
    throwIfAborted(this.opts.signal);
    if (!bson || bson.length > MAX_DOCUMENT_BYTES) {
      const size = bson?.length ?? BSON.calculateObjectSize(doc);
      this.recordError({
        collection: this.opts.collectionName,
        table,
        key: key ?? idText(doc),
        id: idText(doc),
        code: 10334,
        reason: `document is ${size} bytes, over MongoDB's 16 MiB limit`,
      });
      if (this.stopError) throw this.stopError;
      return undefined;
    }
    this.batch.push({ doc, bson, table, key });
    this.batchBytes += bson.length;
    if (this.batch.length >= this.batchSize || this.batchBytes >= MAX_BATCH_BYTES)
      return this.dispatch(this.takeBatch(), false);
    return undefined;
  }

  /**
   * Sends documents known to exist with other content as one replacement batch: one deleteMany by `_id` and one
   * insertMany, never a lookup per document (FerretDB answers an `_id` lookup with a scan; bulk replaceOne is one
   * such lookup per document). Between the two commands the documents are briefly absent; a run that dies there
   * leaves them missing, and its rerun or --resume (which compares) inserts them again.
   */
  async replace(docs: Array<{ doc: Document; bson: Uint8Array; table: string }>): Promise<void> {
    if (this.stopError) throw this.stopError;
    throwIfAborted(this.opts.signal);
    if (docs.length === 0) return;
    await this.dispatch(docs, true);
  }

  /** Sends what is buffered and waits for every batch in flight. */
  async finish(): Promise<WriteCounts> {
    if (this.batch.length > 0 && !this.stopError) await this.dispatch(this.takeBatch(), false);
    await Promise.all(this.inFlight);
    if (this.stopError) throw this.stopError;
    return this.counts;
  }

  /** Waits for batches in flight without sending more (used on cancel). */
  async drain(): Promise<void> {
    this.batch = [];
    await Promise.allSettled(this.inFlight);
  }

  private takeBatch(): Pending[] {
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    return batch;
  }

  private async dispatch(batch: Pending[], replacing: boolean): Promise<void> {
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    if (this.stopError) throw this.stopError;
    this.opts.beforeWrite?.();
    const p = this.write(batch, replacing ? -1 : this.nextSeq++, replacing).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Writes one batch; `seq` numbers insert batches in source order (-1 for replacement batches). */
  private async write(batch: Pending[], seq: number, replacing: boolean): Promise<void> {
    let attempt = 0;
    let newIds: unknown[] = [];
    let done = false;
    await withRetry(
      async () => {
        // A retry may follow a batch that partly landed: its own documents then come back as duplicate keys.
        const ownDuplicatesExpected = this.opts.onConflict === 'ours' || attempt++ > 0;
        if (replacing) await this.deleteIds(batch.map((p) => p.doc._id));
        const outcome = await this.insertBatch(batch);
        newIds = replacing ? [] : outcome.newIds;
        let written = outcome.inserted;
        if (replacing) this.counts.replaced += outcome.inserted;
        if (outcome.conflicts.length > 0) {
          const conflicting = outcome.conflicts.map((i) => batch[i]);
          if (ownDuplicatesExpected && !replacing) written += conflicting.length;
          else if (this.opts.onConflict === 'replace' || replacing) written += await this.replaceNow(conflicting);
          else
            for (const p of conflicting)
              this.refuse(p, 11000, `duplicate key: a document with _id ${idText(p.doc)} already exists`);
        }
        for (const { index, code, reason } of outcome.refused) this.refuse(batch[index], code, reason);
        this.counts.written += written;
        done = true;
      },
      { signal: this.opts.signal, attempts: this.opts.retryAttempts, onRetry: () => this.counts.retries++ },
    ).catch((e) => {
      if (e instanceof MigrationError) throw e;
      // A failure of the whole batch that is not transient (or kept failing): stop the run with the reason.
      this.stopError ??= isTransientError(e)
        ? new MigrationError(
            'TARGET_UNREACHABLE',
            `Lost the connection while writing ${this.opts.collectionName}: ${(e as Error).message}`,
            'When the server is back, rerun with --resume: finished work is kept and nothing is duplicated.',
            { cause: e },
          )
        : new MigrationError(
            'TARGET_REFUSED',
            `Writing to ${this.opts.collectionName} failed: ${(e as Error).message}`,
            e instanceof MongoServerError ? `Server error code ${e.code}.` : undefined,
            { cause: e },
          );
    });
    if (done && seq >= 0)
      await this.opts.onBatchDone?.({ seq, size: batch.length, newIds: this.opts.trackNewIds ? newIds : [] });
    this.opts.onBatch?.(this.counts);
  }

  private insertBatch(batch: Pending[]): Promise<InsertOutcome> {
    return insertClassified(this.opts.db, this.opts.collectionName, batch, this.opts.writeConcern);
  }

  private writeOptions(): { writeConcern?: WriteConcern } {
    return this.opts.writeConcern ? { writeConcern: this.opts.writeConcern } : {};
  }

  private async deleteIds(ids: unknown[]): Promise<number> {
    const r = await this.collection.deleteMany({ _id: { $in: ids } } as Document, this.writeOptions());
    return r.deletedCount;
  }

  /** Replaces documents whose insert met an existing `_id`: delete those `_id`s, insert again (see replace()). */
  private async replaceNow(pending: Pending[]): Promise<number> {
    await this.deleteIds(pending.map((p) => p.doc._id));
    const again = await this.insertBatch(pending);
    for (const { index, code, reason } of again.refused) this.refuse(pending[index], code, reason);
    // A conflict now means another writer put the _id back in between: report it rather than loop.
    for (const i of again.conflicts)
      this.refuse(pending[i], 11000, `duplicate key: _id ${idText(pending[i].doc)} was written again by someone else`);
    this.counts.replaced += again.inserted;
    return again.inserted;
  }

  /** Deletes documents by `_id` (--sync-deletes), with the same retries as writes; returns how many went. */
  async deleteMany(ids: unknown[]): Promise<number> {
    if (ids.length === 0) return 0;
    this.opts.beforeWrite?.();
    return withRetry(() => this.deleteIds(ids), {
      signal: this.opts.signal,
      attempts: this.opts.retryAttempts,
      onRetry: () => this.counts.retries++,
    });
  }

  private refuse(p: Pending, code: number | undefined, reason: string): void {
    this.recordError({
      collection: this.opts.collectionName,
      table: p.table,
      key: p.key ?? idText(p.doc),
      id: idText(p.doc),
      code,
      reason,
    });
  }

  private recordError(err: RowError): void {
    this.counts.failed++;
    if (err.code === 11000) {
      this.counts.duplicates++;
      if (this.counts.duplicateKeys.length < KEEP_DUPLICATE_KEYS) this.counts.duplicateKeys.push(err.key);
    }
    if (this.counts.errors.length < KEEP_ERRORS) this.counts.errors.push(err);
    if (this.opts.onError === 'stop' && !this.stopError) {
      this.stopError = new MigrationError(
        'ROWS_FAILED',
        `${err.collection}: row ${err.key} (_id ${err.id}) was refused: ${err.reason}`,
        'Fix the row, or rerun with --on-error skip to migrate the rest and list every refused row.',
      );
    }
  }
}
