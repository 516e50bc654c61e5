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

/** A map key for an _id that keeps its BSON type (1 and 1n and "1" stay different). */
export const keyOf = (id: unknown) => EJSON.stringify({ id }, { relaxed: false });

/**
 * The `_id` element of a BSON document (type byte and value bytes, as a latin1 string): a pairing key as exact as
 * keyOf (type and value; BSON serialisation is deterministic) without decoding the document. Falls back to keyOf
 * on the decoded document for element types it does not walk.
 */
export function idKeyOf(bson: Uint8Array): string {
  const end = bson.length - 1;
  let p = 4;
  const int32 = (at: number) => bson[at] | (bson[at + 1] << 8) | (bson[at + 2] << 16) | (bson[at + 3] << 24);
  while (p < end) {
    const type = bson[p];
    const nameStart = p + 1;
    let q = nameStart;
    while (bson[q] !== 0) q++;
    const isId =
      q - nameStart === 3 && bson[nameStart] === 0x5f && bson[nameStart + 1] === 0x69 && bson[nameStart + 2] === 0x64;
    const v = q + 1;
    let size: number;
    switch (type) {
      case 0x01:
      case 0x09:
      case 0x11:
      case 0x12:
        size = 8;
        break; // double, date, timestamp, int64
      case 0x02:
      case 0x0d:
      case 0x0e:
        size = 4 + int32(v);
        break; // string, code, symbol
      case 0x03:
      case 0x04:
      case 0x0f:
        size = int32(v);
        break; // document, array, code with scope
      case 0x05:
        size = 5 + int32(v);
        break; // binary
      case 0x06:
      case 0x0a:
      case 0xff:
      case 0x7f:
        size = 0;
        break; // undefined, null, minKey, maxKey
      case 0x07:
        size = 12;
        break; // ObjectId
      case 0x08:
        size = 1;
        break; // bool
      case 0x10:
        size = 4;
        break; // int32
      case 0x13:
        size = 16;
        break; // decimal128
      default:
        return keyOf(BSON.deserialize(bson, DESERIALIZE)._id);
    }
    if (isId) return String.fromCharCode(type) + Buffer.from(bson.buffer, bson.byteOffset + v, size).toString('latin1');
    p = v + size;
  }
  return keyOf(undefined);
}

/** BSON bytes of an expected document, or undefined when it is too large to serialize (over 16 MiB). */
function serializeIfPossible(doc: Document): Uint8Array | undefined {
  try {
    return BSON.serialize(doc);
  } catch {
    return undefined;
  }
}

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
  const result: CollectionValidation = {
    collection: opts.collectionName,
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
  const compare = (e: Document, a: Document) => {
    const diffs = compareDocuments(e, a, opts.collectionName, showValue(e._id));
    if (diffs.length === 0) result.matched++;
    else {
      result.differing++;
      diffs.forEach(record);
    }
  };
  // Documents out of step wait here, keyed by their _id's BSON bytes: when the partner arrives, identical bytes
  // are still a match without decoding (writes in parallel batches make the server's order differ a little).
  const pendingExpected = new Map<string, { doc: Document; bson: Uint8Array | undefined }>();
  const pendingActual = new Map<string, Buffer>();
  const pair = (e: Document, eBson: Uint8Array | undefined, raw: Buffer) => {
    if (eBson && Buffer.compare(eBson, raw) === 0) result.matched++;
    else compare(e, BSON.deserialize(raw, DESERIALIZE));
  };
  const placeExpected = (e: Document, bson: Uint8Array | undefined) => {
    // A document over 16 MiB cannot be serialized (nor stored): key it by its _id alone.
    const k = idKeyOf(bson ?? BSON.serialize({ _id: e._id }));
    const raw = pendingActual.get(k);
    if (raw) {
      pendingActual.delete(k);
      pair(e, bson, raw);
    } else pendingExpected.set(k, { doc: e, bson });
  };
  const placeActual = (raw: Buffer) => {
    const k = idKeyOf(raw);
    const e = pendingExpected.get(k);
    if (e) {
      pendingExpected.delete(k);
      pair(e.doc, e.bson, raw);
    } else pendingActual.set(k, raw);
  };

  const cursor = collection.find(opts.filter ?? {}, { raw: true, batchSize: 5000 });
  const actualIt = cursor[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const expectedIt: AsyncIterator<ExpectedDocument> | Iterator<ExpectedDocument> =
    Symbol.asyncIterator in expectedDocs
      ? (expectedDocs as AsyncIterable<ExpectedDocument>)[Symbol.asyncIterator]()
      : (expectedDocs as Iterable<ExpectedDocument>)[Symbol.iterator]();
  let expectedDone = false,
    actualDone = false;
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
      const expBson = exp ? serializeIfPossible(exp) : undefined;
      if (expBson && raw && Buffer.compare(expBson, raw) === 0) {
        result.matched++;
      } else {
        if (exp) placeExpected(exp, expBson);
        if (raw) placeActual(raw);
      }
      if ((result.expected & 1023) === 0) {
        throwIfAborted(opts.signal);
        opts.onProgress?.(result.expected);
      }
    }
  } finally {
    await cursor.close().catch(() => undefined);
  }
  for (const { doc: e } of pendingExpected.values()) {
    result.missing++;
    record({
      collection: opts.collectionName,
      id: showValue(e._id),
      kind: 'missing-document',
      path: '',
      expected: showValue(e, 300),
    });
  }
  for (const raw of pendingActual.values()) {
    if (opts.allowOthers) {
      result.others++;
      continue;
    }
    const a = BSON.deserialize(raw, DESERIALIZE);
    result.extra++;
    record({
      collection: opts.collectionName,
      id: showValue(a._id),
      kind: 'extra-document',
      path: '',
      actual: showValue(a, 300),
    });
  }
  opts.onProgress?.(result.expected);
  return result;
}
