import { BSON, type Collection, type Document } from 'mongodb';

// The driver re-exports the bson package it was built with; using that copy keeps one BSON implementation.
const { EJSON } = BSON;
import { throwIfAborted } from '../errors';
import { serializeDocument } from '../mongo/bsonWriter';
import { compareDocuments, showValue } from './compare';
import {
  DESERIALIZE,
  IdPairing,
  targetDocuments,
  validationLog,
  type CollectionValidation,
  type ValidateOptions,
} from './pairing';

export type { CollectionValidation, ValidateOptions } from './pairing';

export interface ExpectedDocument {
  doc: Document;
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
    return serializeDocument(doc);
  } catch {
    return undefined;
  }
}

/**
 * Streams the expected documents (rebuilt from the source) and the target collection side by side and compares
 * every document. Identical BSON bytes are a match without decoding (the common case); anything else is decoded
 * and compared field by field. Documents that arrive out of step are paired by `_id` (pairing.ts), so the result
 * does not depend on the server's order.
 */
export async function validateCollection(
  expectedDocs: Iterable<ExpectedDocument> | AsyncIterable<ExpectedDocument>,
  collection: Collection,
  opts: ValidateOptions,
): Promise<CollectionValidation> {
  const log = validationLog(opts.collectionName, opts);
  const { result } = log;
  // Waiting documents keep their BSON: when the partner arrives, identical bytes are still a match without decoding.
  const pairing = new IdPairing<{ doc: Document; bson: Uint8Array | undefined }>((e, raw) => {
    if (e.bson && Buffer.compare(e.bson, raw) === 0) result.matched++;
    else
      log.judged(
        compareDocuments(e.doc, BSON.deserialize(raw, DESERIALIZE), opts.collectionName, showValue(e.doc._id)),
      );
  });
  const actual = await targetDocuments(collection, opts.filter);
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
      const a = actualDone ? undefined : await actual.next();
      if (a?.done) actualDone = true;
      const exp = e && !e.done ? e.value.doc : undefined;
      const raw = a && !a.done ? a.value : undefined;
      if (exp) result.expected++;
      if (raw) result.actual++;
      const expBson = exp ? serializeIfPossible(exp) : undefined;
      if (expBson && raw && Buffer.compare(expBson, raw) === 0) {
        result.matched++;
      } else {
        // A document over 16 MiB cannot be serialized (nor stored): key it by its _id alone.
        if (exp) pairing.expect(idKeyOf(expBson ?? BSON.serialize({ _id: exp._id })), { doc: exp, bson: expBson });
        if (raw) pairing.arrive(idKeyOf(raw), raw);
      }
      if ((result.expected & 1023) === 0) {
        throwIfAborted(opts.signal);
        opts.onProgress?.(result.expected);
      }
    }
  } finally {
    await actual.close();
  }
  for (const { doc: e } of pairing.missing()) {
    result.missing++;
    log.record({
      collection: opts.collectionName,
      id: showValue(e._id),
      kind: 'missing-document',
      path: '',
      expected: showValue(e, 300),
    });
  }
  pairing.reportExtras(log, opts.allowOthers);
  opts.onProgress?.(result.expected);
  return result;
}
