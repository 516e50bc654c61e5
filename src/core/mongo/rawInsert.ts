import { MongoServerError, type Db, type Document, type WriteConcern } from 'mongodb';
import { serializeDocument } from './bsonWriter';
// The driver's OP_MSG document sequence (kind-1 section): documents go on the wire as the BSON bytes given, so a
// document the engine serialised once (to compare it, or to measure it) is not serialised again. Internal to the
// driver (used by its own bulkWrite); FerretDB and MongoDB read it like any driver's insert.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DocumentSequence } = require('mongodb/lib/cmap/commands') as {
  DocumentSequence: new (field: string) => { push(doc: Document, bson: Uint8Array): number };
};

/** Document bytes per insert command: well under the 48 MB message limit (one 16 MiB document always fits). */
const MAX_COMMAND_BYTES = 32 * 1024 * 1024;

export interface RawInsertResult {
  inserted: number;
  /** Per-document failures, by index in the batch. */
  writeErrors: Array<{ index: number; code?: number; errmsg?: string }>;
}

/** One unordered `insert` command per ≤ 32 MiB of documents, from their serialised bytes. */
export async function insertSerialized(
  db: Db,
  collection: string,
  batch: Array<{ doc: Document; bson: Uint8Array }>,
  writeConcern?: WriteConcern,
): Promise<RawInsertResult> {
  const result: RawInsertResult = { inserted: 0, writeErrors: [] };
  for (let start = 0; start < batch.length;) {
    const documents = new DocumentSequence('documents');
    let bytes = 0;
    let end = start;
    while (end < batch.length && (end === start || bytes + batch[end].bson.length <= MAX_COMMAND_BYTES)) {
      bytes += batch[end].bson.length;
      documents.push(batch[end].doc, batch[end].bson);
      end++;
    }
    const r = await db.command({
      insert: collection,
      documents,
      ordered: false,
      ...(writeConcern ? { writeConcern } : {}),
    });
    if (r.writeConcernError) throw new MongoServerError(r.writeConcernError as Document);
    result.inserted += Number(r.n ?? 0);
    for (const we of (r.writeErrors ?? []) as RawInsertResult['writeErrors'])
      result.writeErrors.push({ ...we, index: we.index + start });
    start = end;
  }
  return result;
}

/** The document's BSON, or undefined when it cannot be serialised (over the serializer's buffer, i.e. far over 16 MiB). */
export function serializeOrUndefined(doc: Document): Uint8Array | undefined {
  try {
    return serializeDocument(doc);
  } catch {
    return undefined;
  }
}
