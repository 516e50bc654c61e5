import { BSON, type Collection, type Document } from 'mongodb';

// The driver re-exports the bson package it was built with; using that copy keeps one BSON implementation.
const { EJSON } = BSON;
import { throwIfAborted } from '../errors';
import { compareDocuments, showValue, type Mismatch } from './compare';

export interface ExpectedDocument {
  doc: Document;
}

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

const keyOf = (id: unknown) => EJSON.stringify({ id }, { relaxed: false });
const DESERIALIZE = { promoteValues: false, promoteLongs: false, promoteBuffers: false, bsonRegExp: true } as const;

/**
 * Streams the expected documents (rebuilt from the source) and the target collection side by side and compares
 * every document. Identical BSON bytes are a match without decoding (the common case); anything else is decoded
 * and compared field by field. Both sides normally come in the same order; documents that arrive out of step wait
 * in small maps until their partner shows up, so the result does not depend on the server's order.
 */
export async function validateCollection(
  expectedDocs: Iterable<ExpectedDocument> | AsyncIterable<ExpectedDocument>,
  collection: Collection,
  opts: ValidateOptions,
): Promise<CollectionValidation> {
  const keep = opts.keepMismatches ?? 1000;
  const result: CollectionValidation = { collection: opts.collectionName, expected: 0, actual: 0, matched: 0, differing: 0, missing: 0, extra: 0, mismatchCount: 0, mismatches: [], others: 0 };
  const record = (m: Mismatch) => {
    result.mismatchCount++;
    if (result.mismatches.length < keep) result.mismatches.push(m);
    opts.onMismatch?.(m);
  };
  const compare = (e: Document, a: Document) => {
    const diffs = compareDocuments(e, a, opts.collectionName, showValue(e._id));
    if (diffs.length === 0) result.matched++;
    else {
      result.differing++;
      diffs.forEach(record);
    }
  };
  const pendingExpected = new Map<string, Document>();
  const pendingActual = new Map<string, Document>();
  const placeExpected = (e: Document) => {
    const k = keyOf(e._id);
    const a = pendingActual.get(k);
    if (a) {
      pendingActual.delete(k);
      compare(e, a);
    } else pendingExpected.set(k, e);
  };
  const placeActual = (a: Document) => {
    const k = keyOf(a._id);
    const e = pendingExpected.get(k);
    if (e) {
      pendingExpected.delete(k);
      compare(e, a);
    } else pendingActual.set(k, a);
  };

  const cursor = collection.find(opts.filter ?? {}, { raw: true, batchSize: 5000 });
  const actualIt = cursor[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const expectedIt: AsyncIterator<ExpectedDocument> | Iterator<ExpectedDocument> =
    Symbol.asyncIterator in expectedDocs ? (expectedDocs as AsyncIterable<ExpectedDocument>)[Symbol.asyncIterator]() : (expectedDocs as Iterable<ExpectedDocument>)[Symbol.iterator]();
  let expectedDone = false, actualDone = false;
  try {
    while (!expectedDone || !actualDone) {
      const e = expectedDone ? undefined : await expectedIt.next();
      if (e?.done) expectedDone = true;
      const a = actualDone ? undefined : await actualIt.next();
      if (a?.done) actualDone = true;
      const exp = e && !e.done ? e.value.doc : undefined;
      const raw = a && !a.done ? a.value : undefined;
      if (exp) result.expected++;
      if (raw) result.actual++;
      if (exp && raw && Buffer.compare(BSON.serialize(exp), raw) === 0) {
        result.matched++;
      } else {
        if (exp) placeExpected(exp);
        if (raw) placeActual(BSON.deserialize(raw, DESERIALIZE));
      }
      if ((result.expected & 1023) === 0) {
        throwIfAborted(opts.signal);
        opts.onProgress?.(result.expected);
      }
    }
  } finally {
    await cursor.close().catch(() => undefined);
  }
  for (const e of pendingExpected.values()) {
    result.missing++;
    record({ collection: opts.collectionName, id: showValue(e._id), kind: 'missing-document', path: '', expected: showValue(e, 300) });
  }
  for (const a of pendingActual.values()) {
    if (opts.allowOthers) {
      result.others++;
      continue;
    }
    result.extra++;
    record({ collection: opts.collectionName, id: showValue(a._id), kind: 'extra-document', path: '', actual: showValue(a, 300) });
  }
  opts.onProgress?.(result.expected);
  return result;
}
