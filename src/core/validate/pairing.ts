/**
 * What validation (validator.ts) and the proof (proof.ts) share: the result and its mismatch log, the server's
 * documents read with replies of bounded size, and the pairing of expected items with those documents by `_id`.
 */
import { BSON, type Collection, type Document } from 'mongodb';
import { showValue, type Mismatch } from './compare';

export interface CollectionValidation {
  collection: string;
  expected: number;
  actual: number;
  matched: number;
  /** Documents present on both sides that differ. */
  differing: number;
  missing: number;
  extra: number;
  /** All differences found (fields within differing documents, plus missing and extra documents). */
  mismatchCount: number;
  /** The first `keepMismatches` of them. */
  mismatches: Mismatch[];
  /** Documents in the target that the source does not have, when they are allowed (append mode). */
  others: number;
}

export interface ValidateOptions {
  collectionName: string;
  /** Compare only the target documents matching this filter (e.g. the _ids an incremental run wrote). */
  filter?: Document;
  /** Count target documents absent from the source as `others`, not as mismatches (append into a shared collection). */
  allowOthers?: boolean;
  keepMismatches?: number;
  signal?: AbortSignal;
  onProgress?: (checked: number) => void;
  onMismatch?: (m: Mismatch) => void;
}

export const DESERIALIZE = {
  promoteValues: false,
  promoteLongs: false,
  promoteBuffers: false,
  bsonRegExp: true,
} as const;

/** Most documents per reply of the target's cursor, and the bytes a reply should stay under. */
const MAX_CURSOR_BATCH = 5000;
const CURSOR_BATCH_BYTES = 8 * 1024 * 1024;

/** An empty result and the function that records a mismatch in it (counted always, kept up to `keepMismatches`). */
export function validationLog(
  collection: string,
  opts: Pick<ValidateOptions, 'keepMismatches' | 'onMismatch'>,
): { result: CollectionValidation; record: (m: Mismatch) => void; judged: (diffs: Mismatch[]) => void } {
  const keep = opts.keepMismatches ?? 1000;
  const result: CollectionValidation = {
    collection,
    expected: 0,
    actual: 0,
    matched: 0,
    differing: 0,
    missing: 0,
    extra: 0,
    mismatchCount: 0,
    mismatches: [],
    others: 0,
  };
  const record = (m: Mismatch) => {
    result.mismatchCount++;
    if (result.mismatches.length < keep) result.mismatches.push(m);
    opts.onMismatch?.(m);
  };
  const judged = (diffs: Mismatch[]) => {
    if (diffs.length === 0) result.matched++;
    else {
      result.differing++;
      diffs.forEach(record);
    }
  };
  return { result, record, judged };
}

/**
 * The target's documents as raw BSON, in the server's order. A raw document is a view of the whole reply it came
 * in, so replies are kept to about 8 MiB: the batch size follows the collection's average document size (a
 * FerretDB reply is not capped at 16 MiB like MongoDB's; 5,000 documents of 1 MiB would be 5 GB).
 */
export async function targetDocuments(
  collection: Collection,
  filter: Document | undefined,
): Promise<{ next: () => Promise<IteratorResult<Buffer>>; close: () => Promise<void> }> {
  let batchSize = MAX_CURSOR_BATCH;
  try {
    const stats = await collection.aggregate([{ $collStats: { storageStats: {} } }]).toArray();
    const avg = Number(stats[0]?.storageStats?.avgObjSize ?? 0);
    if (avg > 0) batchSize = Math.max(1, Math.min(MAX_CURSOR_BATCH, Math.floor(CURSOR_BATCH_BYTES / avg)));
  } catch {
    // No statistics (a view, an older server): the default batch size.
  }
  const cursor = collection.find(filter ?? {}, { raw: true, batchSize });
  const it = cursor[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return { next: () => it.next(), close: () => cursor.close().catch(() => undefined) };
}

/**
 * Pairs expected items with the server's documents by `_id` key (idKeyOf). Both sides normally come in the same
 * order; an item or document that arrives out of step waits here until its partner does. Parallel batches reorder
 * the server's documents by at most the batches in flight, so the waiting is bounded by that window; a waiting
 * document is copied out of its reply so that the reply itself is not kept.
 */
export class IdPairing<E> {
  private readonly expected = new Map<string, E>();
  private readonly actual = new Map<string, Buffer>();

  constructor(private readonly pair: (expected: E, raw: Buffer) => void) {}

  expect(key: string, item: E): void {
    const raw = this.actual.get(key);
    if (raw === undefined) this.expected.set(key, item);
    else {
      this.actual.delete(key);
      this.pair(item, raw);
    }
  }

  arrive(key: string, raw: Buffer): void {
    const item = this.expected.get(key);
    if (item === undefined) this.actual.set(key, Buffer.from(raw));
    else {
      this.expected.delete(key);
      this.pair(item, raw);
    }
  }

  /** Expected items no document came for. */
  missing(): IterableIterator<E> {
    return this.expected.values();
  }

  /**
   * Documents no expected item came for: counted as `others` when allowed (append mode), else as extra documents.
   */
  reportExtras(log: ReturnType<typeof validationLog>, allowOthers: boolean | undefined): void {
    for (const raw of this.actual.values()) {
      if (allowOthers) {
        log.result.others++;
        continue;
      }
      const d = BSON.deserialize(raw, DESERIALIZE);
      log.result.extra++;
      log.record({
        collection: log.result.collection,
        id: showValue(d._id),
        kind: 'extra-document',
        path: '',
        actual: showValue(d, 300),
      });
    }
  }
}
