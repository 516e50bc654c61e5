import { BSON, type Collection, type Document } from 'mongodb';
import { throwIfAborted } from '../errors';
import { compareElements, elementKey, idElement, type BsonElement } from './idOrder';
import type { BulkWriter } from './writer';

/** Replacements are sent in batches this large (or this many bytes): on FerretDB each costs one scan for its deleteMany. */
const REPLACE_BATCH_DOCS = 10_000;
const REPLACE_BATCH_BYTES = 32 * 1024 * 1024;
const DELETE_BATCH = 10_000;
const TARGET_BATCH = 10_000;
const DESERIALIZE = { promoteValues: false, promoteLongs: false, promoteBuffers: false, bsonRegExp: true } as const;

export interface ReconcileCounts {
  unchanged: number;
  /** Found different and sent as replacements (the writer's counts say how many landed). */
  different: number;
  /** Not in the target: sent as inserts. */
  missing: number;
  /** Target documents the source no longer has: deleted with `deletes`, else left alone. */
  gone: number;
  deleted: number;
}

export interface ReconcileOptions {
  /** Delete the target documents the source no longer has (--sync-deletes). */
  deletes: boolean;
  table: string;
  /** Compare only the target documents this filter selects (the built documents must be the same subset). */
  filter?: Document;
  signal?: AbortSignal;
  onWarning?: (message: string) => void;
}

/**
 * A rerun that compares instead of rewriting. One ordered pass over the target (sorted by `_id`, raw BSON, large
 * batches) is merged with the freshly built documents: identical bytes are left alone, different documents are
 * replaced and absent ones inserted through the writer (unordered bulk batches), and target documents the source no
 * longer has are deleted in batches at the end. Nothing is looked up one by one.
 *
 * The source arrives in SQLite key order, which normally is the server's `_id` order (see idOrder.ts). Where it is
 * not (a NOCASE key, negative rowids…), the merge stays exact: a target document passed over waits among the
 * `passed` candidates, keyed by its `_id` bytes, until a later source document claims it or the pass ends. Memory
 * grows only with that disorder and with the number of documents to delete.
 */
export class Reconciler {
  readonly counts: ReconcileCounts = { unchanged: 0, different: 0, missing: 0, gone: 0, deleted: 0 };
  private readonly cursor;
  private readonly target: AsyncIterator<Buffer>;
  private head: { raw: Buffer; id: BsonElement } | undefined;
  private started = false;
  private exhausted = false;
  /** Target documents passed over without a partner so far: `_id` key → a copy of the document's bytes. */
  private readonly passed = new Map<string, Buffer>();
  private replacements: Array<{ doc: Document; bson: Uint8Array; table: string }> = [];
  private replacementBytes = 0;
  private previousTargetId: BsonElement | undefined;
  /** False once the server's order and ours disagree: then nothing is deleted (it could be a document we missed). */
  private orderTrusted = true;

  constructor(
    collection: Collection,
    private readonly writer: BulkWriter,
    private readonly opts: ReconcileOptions,
  ) {
    this.cursor = collection.find(opts.filter ?? {}, { raw: true, sort: { _id: 1 }, batchSize: TARGET_BATCH });
    this.target = this.cursor[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  private async advance(): Promise<void> {
    if (this.exhausted) {
      this.head = undefined;
      return;
    }
    const next = await this.target.next();
    if (next.done) {
      this.exhausted = true;
      this.head = undefined;
      return;
    }
    const raw = next.value;
    const id = idElement(raw);
    if (this.previousTargetId && compareElements(this.previousTargetId, id) > 0 && this.orderTrusted) {
      this.orderTrusted = false;
      this.opts.onWarning?.(
        'the server returned _ids in an order this tool does not expect; documents the source no longer has are left in place',
      );
    }
    this.head = { raw, id };
    this.previousTargetId = id;
  }

  /** Merges one built document (`bson` is its serialization) with the target. */
  async add(doc: Document, bson: Uint8Array): Promise<void> {
    if (!this.started) {
      this.started = true;
      await this.advance();
    }
    const id = idElement(bson);
    while (this.head && compareElements(this.head.id, id) < 0) {
      this.pass(this.head);
      await this.advance();
    }
    if (this.head && compareElements(this.head.id, id) === 0) {
      const same = Buffer.compare(this.head.raw, bson) === 0;
      await this.advance();
      if (same) this.counts.unchanged++;
      else await this.replace(doc, bson);
      return;
    }
    const key = elementKey(id);
    const twin = this.passed.get(key);
    if (twin) {
      // Its target twin came earlier: the source is out of the server's order here (e.g. a NOCASE key).
      this.passed.delete(key);
      if (Buffer.compare(twin, bson) === 0) this.counts.unchanged++;
      else await this.replace(doc, bson);
      return;
    }
    this.counts.missing++;
    await this.writer.add(doc, this.opts.table, undefined, bson);
  }

  private pass(head: { raw: Buffer; id: BsonElement }): void {
    // A copy: a slice would keep the cursor's whole batch buffer alive.
    this.passed.set(elementKey(head.id), Buffer.from(head.raw));
    if ((this.passed.size & 1023) === 0) throwIfAborted(this.opts.signal);
  }

  private async replace(doc: Document, bson: Uint8Array): Promise<void> {
    this.counts.different++;
    this.replacements.push({ doc, bson, table: this.opts.table });
    this.replacementBytes += bson.length;
    if (this.replacements.length >= REPLACE_BATCH_DOCS || this.replacementBytes >= REPLACE_BATCH_BYTES)
      await this.flushReplacements();
  }

  private async flushReplacements(): Promise<void> {
    const batch = this.replacements;
    this.replacements = [];
    this.replacementBytes = 0;
    await this.writer.replace(batch);
  }

  /** Sends the last replacements, reads what is left of the target and deletes what the source no longer has. */
  async finish(): Promise<ReconcileCounts> {
    await this.flushReplacements();
    if (this.opts.deletes) {
      if (!this.started) await this.advance();
      while (this.head) {
        this.pass(this.head);
        await this.advance();
      }
    }
    await this.close();
    this.counts.gone = this.passed.size;
    if (this.opts.deletes && this.orderTrusted) await this.deletePassed();
    return this.counts;
  }

  private async deletePassed(): Promise<void> {
    let ids: unknown[] = [];
    for (const raw of this.passed.values()) {
      // A one-field document around the _id element: decoded with its exact BSON type (Int32/Long/Double kept).
      const id = idElement(raw);
      const element = raw.subarray(id.nameStart - 1, id.end);
      const doc = Buffer.alloc(4 + element.length + 1);
      doc.writeInt32LE(doc.length, 0);
      element.copy(doc, 4);
      ids.push(BSON.deserialize(doc, DESERIALIZE)._id);
      if (ids.length >= DELETE_BATCH) {
        this.counts.deleted += await this.writer.deleteMany(ids);
        ids = [];
      }
    }
    this.counts.deleted += await this.writer.deleteMany(ids);
    this.passed.clear();
  }

  async close(): Promise<void> {
    this.exhausted = true;
    this.head = undefined;
    await this.cursor.close().catch(() => undefined);
  }
}
